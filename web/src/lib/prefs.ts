/**
 * The owner's app preferences (PUT /api/settings `settings`) as applied to this tab: the theme
 * on the document, send-on-Enter for the composer, timestamps on messages. The settings
 * feature fills it; any screen may read it.
 */
export interface Prefs {
  theme: 'light' | 'dark' | 'system';
  sendOnEnter: boolean;
  showTimestamps: boolean;
}

let current: Prefs = { theme: 'system', sendOnEnter: true, showTimestamps: false };
const listeners = new Set<() => void>();

export const prefsStore = {
  get: (): Prefs => current,
  subscribe(l: () => void): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
  set(p: Partial<Prefs>): void {
    current = { ...current, ...p };
    const root = document.documentElement;
    if (current.theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = current.theme;
    root.dataset.timestamps = current.showTimestamps ? 'on' : 'off';
    for (const l of listeners) l();
  },
};
