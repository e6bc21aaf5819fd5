import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useQueryClient } from '@tanstack/preact-query';
import type { ChatMessage } from '../../../lib/frames';
import { loadOlder } from '../api/messages';
import { useVirtualList } from '../../../lib/useVirtualList';
import { MessageItem } from './MessageItem';

interface Props {
  conversationId: string;
  messages: ChatMessage[];
  onStop: (id: string) => void;
  onRegenerate: (id: string) => void;
}

export function MessageList({ conversationId, messages, onStop, onRegenerate }: Props) {
  const qc = useQueryClient();
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [older, setOlder] = useState<'idle' | 'loading' | 'done'>('idle');
  const v = useVirtualList({
    count: messages.length,
    getKey: (i) => messages[i]?.id ?? String(i),
    scrollEl: useCallback(() => scroller.current, []),
  });

  // Follow the conversation while the reader is at its end (new messages, growing replies).
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  });

  // A search hit opens the conversation at one message (?message=id): page back to it, scroll, mark it.
  const target = useRef(new URLSearchParams(location.search).get('message'));
  const [highlight, setHighlight] = useState<string | null>(null);
  useEffect(() => {
    const id = target.current;
    if (!id) return;
    const i = messages.findIndex((m) => m.id === id);
    if (i < 0) {
      if (messages.length >= 50 && older === 'idle') void more();
      return;
    }
    target.current = null;
    stick.current = false;
    setHighlight(id);
    v.scrollToIndex(i, { align: 'center' });
  }, [messages, older]);

  const lastAssistant = [...messages].reverse().find((m) => m.role === 'assistant');
  const regenerable =
    lastAssistant && lastAssistant.status !== 'streaming' && lastAssistant.message_type !== 'action_card'
      ? lastAssistant.id
      : null;

  async function more() {
    setOlder('loading');
    const n = await loadOlder(qc, conversationId).catch(() => 0);
    setOlder(n === 0 ? 'done' : 'idle');
  }

  return (
    <>
      {messages.length >= 50 && older !== 'done' && (
        <button type="button" class="load-older" onClick={() => void more()} disabled={older === 'loading'}>
          {older === 'loading' ? 'Loading older messages…' : 'Load older messages'}
        </button>
      )}
      <div
        class="messages"
        ref={scroller}
        tabIndex={0}
        aria-label="Messages"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 48;
        }}
      >
        {messages.length === 0 && <p class="empty">Say hello, or try "add buy milk tomorrow".</p>}
        <ol class="message-rows" style={{ height: `${v.getTotalSize()}px` }}>
          {v.getVirtualItems().map((row) => {
            const m = messages[row.index]!;
            return (
              <li
                key={row.key}
                data-index={row.index}
                ref={v.measureElement}
                class={`message-row${m.id === highlight ? ' highlight' : ''}`}
                aria-current={m.id === highlight ? 'true' : undefined}
                style={{ transform: `translateY(${row.start}px)` }}
              >
                <MessageItem
                  message={m}
                  canRegenerate={m.id === regenerable}
                  onStop={onStop}
                  onRegenerate={onRegenerate}
                />
              </li>
            );
          })}
        </ol>
      </div>
    </>
  );
}
