import { useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { errorMessage } from '../../../lib/api';
import { useStore } from '../../../lib/hooks';
import { toastStore } from '../../../lib/toasts';
import {
  useConversations,
  useCreateConversation,
  useDeleteConversation,
  useUpdateConversation,
} from '../api/conversations';
import { useMessages, useRegenerate, useStopReply } from '../api/messages';
import { typingStore } from '../hooks/typing';
import { Composer } from './Composer';
import { ConversationList } from './ConversationList';
import { MessageList } from './MessageList';

function ConversationHeader({ id, title }: { id: string; title: string }) {
  const [, navigate] = useLocation();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(title);
  const update = useUpdateConversation();
  const remove = useDeleteConversation();
  const fail = (e: unknown) => toastStore.show('That did not work', errorMessage(e));

  if (editing)
    return (
      <form
        class="conv-header"
        onSubmit={(e) => {
          e.preventDefault();
          update.mutate({ id, title: draft.trim() }, { onSuccess: () => setEditing(false), onError: fail });
        }}
      >
        <label for="rename-input" class="sr-only">
          Conversation title
        </label>
        <input
          id="rename-input"
          value={draft}
          onInput={(e) => setDraft(e.currentTarget.value)}
          autoFocus
          maxLength={200}
        />
        <button type="submit" class="primary" disabled={!draft.trim() || update.isPending}>
          Save
        </button>
        <button type="button" onClick={() => setEditing(false)}>
          Cancel
        </button>
      </form>
    );

  return (
    <header class="conv-header">
      <Link href="/chat" class="back" aria-label="All conversations">
        ‹
      </Link>
      <h2>{title || 'New conversation'}</h2>
      <button
        type="button"
        onClick={() => (setDraft(title), setEditing(true))}
        aria-label="Rename conversation"
      >
        Rename
      </button>
      <button
        type="button"
        aria-label="Archive conversation"
        onClick={() =>
          update.mutate({ id, is_archived: true }, { onSuccess: () => navigate('/chat'), onError: fail })
        }
      >
        Archive
      </button>
      <button
        type="button"
        class="danger"
        aria-label="Delete conversation"
        onClick={() => {
          if (
            confirm(`Delete "${title || 'this conversation'}" and all its messages? This cannot be undone.`)
          )
            remove.mutate(id, { onSuccess: () => navigate('/chat'), onError: fail });
        }}
      >
        Delete
      </button>
    </header>
  );
}

function ConversationView({ id, title }: { id: string; title: string }) {
  const messages = useMessages(id);
  const stop = useStopReply();
  const regenerate = useRegenerate();
  const otherTyping = useStore(typingStore.subscribe, () => typingStore.is(id));
  const fail = (e: unknown) => toastStore.show('That did not work', errorMessage(e));
  return (
    <section class="conversation" aria-label={title || 'New conversation'}>
      <ConversationHeader id={id} title={title} />
      {messages.isPending ? (
        <p class="muted pad">Loading messages…</p>
      ) : messages.isError ? (
        <p class="error pad" role="alert">
          Could not load this conversation: {errorMessage(messages.error)}
        </p>
      ) : (
        <MessageList
          conversationId={id}
          messages={messages.data}
          onStop={(mid) => stop.mutate(mid, { onError: fail })}
          onRegenerate={(mid) => regenerate.mutate({ conversationId: id, messageId: mid }, { onError: fail })}
        />
      )}
      <p class="typing-other" aria-live="polite">
        {otherTyping ? 'Typing on another device…' : ''}
      </p>
      <Composer conversationId={id} onSent={() => undefined} />
    </section>
  );
}

export function ChatScreen({ id }: { id: string | null }) {
  const [, navigate] = useLocation();
  const conversations = useConversations();
  const create = useCreateConversation();
  const current = conversations.data?.find((c) => c.id === id);
  return (
    <div class={`chat ${id ? 'has-conversation' : ''}`}>
      <aside class="sidebar" aria-label="Conversations">
        <div class="sidebar-head">
          <h1>Chat</h1>
          <button
            type="button"
            class="primary"
            disabled={create.isPending}
            onClick={() => create.mutate(undefined, { onSuccess: (c) => navigate(`/chat/${c.id}`) })}
          >
            New conversation
          </button>
        </div>
        <ConversationList
          conversations={conversations.data ?? []}
          activeId={id}
          loading={conversations.isPending}
        />
      </aside>
      {id ? (
        <ConversationView key={id} id={id} title={current?.title ?? ''} />
      ) : (
        <section class="conversation empty-conversation" aria-label="New message">
          <div class="messages">
            <p class="empty">Pick a conversation, or just start typing.</p>
          </div>
          <Composer conversationId={null} onSent={(cid) => navigate(`/chat/${cid}`)} />
        </section>
      )}
    </div>
  );
}
