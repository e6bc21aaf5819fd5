import { Component } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ActionCard, ChatMessage } from '../../../lib/frames';
import { streamStore } from '../../../lib/streams';
import { ActionCardView } from './ActionCardView';
import { Markdown } from '../../../components/Markdown';

/** The live text of one streaming reply: subscribes to its own stream, nothing else re-renders. */
function StreamingText({ id, fallback }: { id: string; fallback: string }) {
  const [text, setText] = useState(() => (streamStore.has(id) ? streamStore.text(id) : fallback));
  useEffect(() => {
    if (streamStore.has(id)) setText(streamStore.text(id));
    return streamStore.subscribe(id, () => setText(streamStore.text(id)));
  }, [id]);
  if (text === '')
    return (
      <p class="typing" role="status">
        <span class="sr-only">Assistant is typing</span>
        <span class="dot" aria-hidden="true" />
        <span class="dot" aria-hidden="true" />
        <span class="dot" aria-hidden="true" />
      </p>
    );
  return <Markdown text={text} />;
}

export interface MessageItemProps {
  message: ChatMessage;
  canRegenerate: boolean;
  onStop: (id: string) => void;
  onRegenerate: (id: string) => void;
}

function MessageBody({ message, canRegenerate, onStop, onRegenerate }: MessageItemProps) {
  const card = (message.metadata?.card ?? null) as ActionCard | null;
  const error = (message.metadata?.error ?? null) as { code: string; message: string } | null;
  const streaming = message.status === 'streaming';
  const mine = message.role === 'user';
  return (
    <article
      class={`msg ${mine ? 'mine' : 'theirs'}${message.message_type === 'system' ? ' system' : ''}`}
      aria-label={mine ? 'You' : 'Assistant'}
    >
      <div class="bubble">
        {streaming ? (
          <StreamingText id={message.id} fallback={message.content} />
        ) : (
          message.content && <Markdown text={message.content} />
        )}
        {card && <ActionCardView card={card} />}
        {error && (
          <p class="error" role="alert">
            {error.code === 'AI_UNAVAILABLE' ? 'The assistant is unavailable: ' : ''}
            {error.message}
          </p>
        )}
        <time class="msg-time" dateTime={message.created_at}>
          {new Date(message.created_at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}
        </time>
        {message.status === 'stopped' && <p class="muted small">Stopped</p>}
        {message.status === 'failed' && !error && <p class="muted small">This reply failed.</p>}
      </div>
      {!mine && (streaming || canRegenerate) && (
        <div class="msg-actions">
          {streaming && (
            <button type="button" onClick={() => onStop(message.id)}>
              Stop
            </button>
          )}
          {!streaming && canRegenerate && (
            <button type="button" onClick={() => onRegenerate(message.id)}>
              Regenerate
            </button>
          )}
        </div>
      )}
    </article>
  );
}

/** Re-renders only when its own message changed (the list re-renders on resize and paging). */
export class MessageItem extends Component<MessageItemProps> {
  override shouldComponentUpdate(next: MessageItemProps): boolean {
    return next.message !== this.props.message || next.canRegenerate !== this.props.canRegenerate;
  }
  override render() {
    return <MessageBody {...this.props} />;
  }
}
