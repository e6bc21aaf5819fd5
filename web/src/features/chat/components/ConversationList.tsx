import { Link } from 'wouter-preact';
import type { Conversation } from '../../../lib/frames';

export function ConversationList({
  conversations,
  activeId,
  loading,
}: {
  conversations: Conversation[];
  activeId: string | null;
  loading: boolean;
}) {
  if (loading) return <p class="muted pad">Loading conversations…</p>;
  if (conversations.length === 0) return <p class="muted pad">No conversations yet.</p>;
  return (
    <ul class="conversations">
      {conversations.map((c) => (
        <li key={c.id}>
          <Link
            href={`/chat/${c.id}`}
            class={c.id === activeId ? 'active' : undefined}
            aria-current={c.id === activeId ? 'page' : undefined}
          >
            <span class="conv-title">{c.title || 'New conversation'}</span>
            {c.last_message_preview && (
              <span class="conv-preview">{c.last_message_preview.replace(/[*_`#>~]+/g, '')}</span>
            )}
          </Link>
        </li>
      ))}
    </ul>
  );
}
