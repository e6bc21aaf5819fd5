/** "Typing on another device", per conversation, relayed by the server; it fades by itself. */
const typing = new Map<string, number>();
const listeners = new Set<() => void>();

export const typingStore = {
  set(conversationId: string, isTyping: boolean): void {
    if (isTyping) typing.set(conversationId, Date.now());
    else typing.delete(conversationId);
    listeners.forEach((l) => l());
    if (isTyping)
      setTimeout(() => {
        const at = typing.get(conversationId);
        if (at !== undefined && Date.now() - at >= 5000) typingStore.set(conversationId, false);
      }, 5100);
  },
  is: (conversationId: string) => typing.has(conversationId),
  subscribe: (l: () => void): (() => void) => {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};
