/** Search: one box over todos, events, memos and messages, with type chips and highlighted snippets. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { errorMessage } from '../../../lib/api';
import { renderMarkdown } from '../../../lib/markdown';
import { useHitItem } from '../api/item';
import { useSearch, type SearchHit, type SearchType } from '../api/search';
import { useSearchRealtime } from '../hooks/useSearchRealtime';
import { Snippet } from './Snippet';
import '../search.css';

const TYPES: { key: SearchType; label: string }[] = [
  { key: 'todos', label: 'Tasks' },
  { key: 'events', label: 'Events' },
  { key: 'memos', label: 'Memos' },
  { key: 'messages', label: 'Messages' },
];
const KIND: Record<SearchHit['type'], string> = {
  todo: 'Task',
  event: 'Event',
  memo: 'Memo',
  message: 'Message',
};

function ItemPanel({ hit, onClose }: { hit: SearchHit; onClose: () => void }) {
  const item = useHitItem(hit);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [hit.id]);
  const d = item.data;
  return (
    <section class="card search-item" aria-labelledby="search-item-title">
      <div class="search-item-head">
        <h2 id="search-item-title" tabIndex={-1} ref={heading}>
          {hit.title || KIND[hit.type]}
        </h2>
        <button type="button" onClick={onClose} aria-label="Close item">
          Close
        </button>
      </div>
      {item.isPending ? (
        <p class="muted">Loading…</p>
      ) : item.isError ? (
        <p class="error" role="alert">
          Could not open it: {errorMessage(item.error)}
        </p>
      ) : d?.type === 'memo' ? (
        <>
          <div class="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(d.memo.content) }} />
          {d.memo.tags.length > 0 && <p class="muted">Tags: {d.memo.tags.join(', ')}</p>}
          <Link href="/memos">Open Memos</Link>
        </>
      ) : d?.type === 'todo' ? (
        <>
          <p>
            Status: {d.todo.status.replace('_', ' ')} · Priority: {d.todo.priority}
            {d.todo.due_date ? ` · Due ${new Date(d.todo.due_date).toLocaleDateString()}` : ''}
          </p>
          {d.todo.description && <p>{d.todo.description}</p>}
          <Link href="/tasks">Open Tasks</Link>
        </>
      ) : d?.type === 'event' ? (
        <>
          <p>
            {new Date(d.event.start_time).toLocaleString(undefined, {
              dateStyle: 'full',
              timeStyle: 'short',
            })}
            {d.event.location ? ` · ${d.event.location}` : ''}
          </p>
          {d.event.description && <p>{d.event.description}</p>}
          <Link href={`/calendar?date=${d.event.start_time.slice(0, 10)}`}>Open in Calendar</Link>
        </>
      ) : null}
    </section>
  );
}

export function SearchScreen() {
  const [, navigate] = useLocation();
  const [text, setText] = useState(() => new URLSearchParams(location.search).get('q') ?? '');
  const [q, setQ] = useState(text);
  const [types, setTypes] = useState<SearchType[]>(TYPES.map((t) => t.key));
  const [open, setOpen] = useState<SearchHit | null>(null);
  const results = useSearch(q, types);
  useSearchRealtime();

  useEffect(() => {
    document.title = 'Search · ClawChat';
  }, []);
  // Search as you type, after a short pause; the query lives in the address for back/forward.
  useEffect(() => {
    const t = setTimeout(() => {
      setQ(text.trim());
      history.replaceState(
        history.state,
        '',
        text.trim() ? `/search?q=${encodeURIComponent(text.trim())}` : '/search',
      );
    }, 250);
    return () => clearTimeout(t);
  }, [text]);

  const choose = (hit: SearchHit) => {
    if (hit.type === 'message' && hit.conversation_id)
      navigate(`/chat/${hit.conversation_id}?message=${encodeURIComponent(hit.id)}`);
    else setOpen(hit);
  };
  const hits = results.data?.items ?? [];

  return (
    <main class="search">
      <h1>Search</h1>
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQ(text.trim());
        }}
      >
        <label for="search-box" class="sr-only">
          Search everything
        </label>
        <input
          id="search-box"
          type="search"
          value={text}
          placeholder="Search tasks, events, memos and messages"
          onInput={(e) => setText(e.currentTarget.value)}
          autoFocus
        />
      </form>
      <div class="chips" role="group" aria-label="Kinds to search">
        {TYPES.map((t) => {
          const on = types.includes(t.key);
          return (
            <button
              key={t.key}
              type="button"
              class={`chip ${on ? 'on' : ''}`}
              aria-pressed={on}
              onClick={() => setTypes(on ? types.filter((x) => x !== t.key) : [...types, t.key])}
            >
              {t.label}
            </button>
          );
        })}
      </div>
      <div class="search-body">
        <div class="search-results" aria-busy={results.isFetching}>
          {!q ? (
            <p class="empty">
              Type a word or two: tasks, events, memos and chat messages are searched together.
            </p>
          ) : types.length === 0 ? (
            <p class="empty">Pick at least one kind above to search.</p>
          ) : results.isError ? (
            <p class="error" role="alert">
              Search failed: {errorMessage(results.error)}
            </p>
          ) : results.isPending ? (
            <p class="muted" role="status">
              Searching…
            </p>
          ) : hits.length === 0 ? (
            <p class="empty" role="status">
              Nothing found for “{q}”. Try fewer or other words, or another kind.
            </p>
          ) : (
            <>
              <p class="sr-only" role="status">
                {results.data.total} results
              </p>
              <ul class="hits" aria-label="Results">
                {hits.map((h) => (
                  <li key={`${h.type}:${h.id}`}>
                    <button
                      type="button"
                      class={`hit ${open?.id === h.id ? 'active' : ''}`}
                      onClick={() => choose(h)}
                    >
                      <span class={`kind kind-${h.type}`}>{KIND[h.type]}</span>
                      <strong class="hit-title">{h.title || '(untitled)'}</strong>
                      <span class="hit-snippet">
                        <Snippet text={h.snippet} />
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
        {open && <ItemPanel hit={open} onClose={() => setOpen(null)} />}
      </div>
    </main>
  );
}

export default SearchScreen;
