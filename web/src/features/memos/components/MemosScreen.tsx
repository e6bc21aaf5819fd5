/** Memos: a searchable list beside the editor (one or the other on a phone). */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { errorMessage } from '../../../lib/api';
import type { Memo } from '../api/keys';
import { useMemoList } from '../api/list-memos';
import { useMemoItem } from '../api/memo-crud';
import { useMemosRealtime } from '../hooks/useMemosRealtime';
import { MemoEditor } from './MemoEditor';
import './memos.css';

function useDebounced(value: string, ms: number): string {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

const excerpt = (m: Memo) =>
  m.content
    .replace(/[#>*_`[\]()-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 90);

export function MemosScreen() {
  useMemosRealtime();
  const [q, setQ] = useState('');
  const debounced = useDebounced(q, 250);
  const list = useMemoList(debounced);
  const [selected, setSelected] = useState<string | null>(null);
  const one = useMemoItem(selected && selected !== 'new' ? selected : null);
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const editing = selected === 'new' ? null : (one.data ?? items.find((m) => m.id === selected) ?? null);

  return (
    <main class={`memos${selected ? ' has-memo' : ''}`}>
      <div class="memo-list">
        <div class="sidebar-head">
          <h1>Memos</h1>
          <button type="button" class="primary" onClick={() => setSelected('new')}>
            New memo
          </button>
        </div>
        <input
          type="search"
          aria-label="Search memos"
          placeholder="Search memos"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
        />
        {list.isPending ? (
          <p class="muted" role="status">
            Loading memos…
          </p>
        ) : list.isError ? (
          <p class="error" role="alert">
            Could not load memos: {errorMessage(list.error)}
          </p>
        ) : items.length === 0 ? (
          <p class="empty-state">
            {debounced ? 'No memo matches this search.' : 'No memos yet. Press “New memo” to write one.'}
          </p>
        ) : (
          <ul class="plain" aria-label="Memos">
            {items.map((m) => (
              <li key={m.id}>
                <button
                  type="button"
                  class={`memo-item${selected === m.id ? ' active' : ''}`}
                  aria-current={selected === m.id ? 'true' : undefined}
                  onClick={() => setSelected(m.id)}
                >
                  <span class="memo-item-title">{m.title || 'Untitled'}</span>
                  <span class="muted small">{excerpt(m)}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        {list.hasNextPage && (
          <button type="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            Load more memos
          </button>
        )}
      </div>
      <div class="memo-pane">
        {selected === null ? (
          <p class="empty-state">Choose a memo to read or edit it, or press “New memo”.</p>
        ) : selected !== 'new' && one.isError && !editing ? (
          <p class="error" role="alert">
            Could not open this memo: {errorMessage(one.error)}
          </p>
        ) : selected !== 'new' && !editing ? (
          <p class="muted">Loading…</p>
        ) : (
          <MemoEditor
            key={selected === 'new' ? 'new' : editing?.id}
            memo={editing}
            onSaved={(m) => setSelected(m.id)}
            onDeleted={() => setSelected(null)}
            onBack={() => setSelected(null)}
          />
        )}
      </div>
    </main>
  );
}
