import { useRef, useState } from 'preact/hooks';
import { send as sendFrame } from '../../../lib/socket';
import { errorMessage } from '../../../lib/api';
import { prefsStore } from '../../../lib/prefs';
import { useSendMessage } from '../api/messages';

/** The message box: Enter sends, Shift+Enter adds a line; the text stays until the server has it. */
export function Composer({
  conversationId,
  onSent,
}: {
  conversationId: string | null;
  onSent: (conversationId: string) => void;
}) {
  const [text, setText] = useState('');
  const sendMessage = useSendMessage();
  const typingSince = useRef(0);
  const clientId = useRef<string | null>(null);

  function typing(isTyping: boolean) {
    if (!conversationId) return;
    const now = Date.now();
    if (isTyping && now - typingSince.current < 3000) return;
    typingSince.current = isTyping ? now : 0;
    sendFrame({ type: 'typing', data: { conversation_id: conversationId, is_typing: isTyping } });
  }

  function submit(e?: Event) {
    e?.preventDefault();
    const content = text.trim();
    if (!content || sendMessage.isPending) return;
    // One id per message, kept across retries: a resend after a network error is not doubled.
    clientId.current ??= crypto.randomUUID();
    sendMessage.mutate(
      { conversationId, content, clientMessageId: clientId.current },
      {
        onSuccess: (res) => {
          setText('');
          clientId.current = null;
          typing(false);
          onSent(res.conversation_id);
        },
      },
    );
  }

  return (
    <form class="composer" onSubmit={submit}>
      <label for="composer-input" class="sr-only">
        Message
      </label>
      <textarea
        id="composer-input"
        rows={1}
        placeholder="Message ClawChat…"
        value={text}
        onInput={(e) => {
          setText(e.currentTarget.value);
          clientId.current = null;
          typing(true);
        }}
        onKeyDown={(e) => {
          // With send-on-Enter off (Settings), Enter adds a line and Ctrl/Cmd+Enter sends.
          const send = prefsStore.get().sendOnEnter ? !e.shiftKey : e.ctrlKey || e.metaKey;
          if (e.key === 'Enter' && send && !e.isComposing) submit(e);
        }}
      />
      <button type="submit" class="primary" disabled={!text.trim() || sendMessage.isPending}>
        {sendMessage.isPending ? 'Sending…' : 'Send'}
      </button>
      {sendMessage.isError && (
        <p class="error composer-error" role="alert">
          Not sent: {errorMessage(sendMessage.error)} Your message is still here; press Send to retry.
        </p>
      )}
    </form>
  );
}
