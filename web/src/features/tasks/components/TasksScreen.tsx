/** Tasks: filters, list or board, quick-add, bulk actions, and the side panel for one task. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { errorMessage } from '../../../lib/api';
import { UndoToast, type UndoOffer } from '../../../components/UndoToast';
import { PRIORITIES, STATUSES, statusLabel, type Priority, type Todo, type TodoFilters } from '../api/keys';
import { useTodoList } from '../api/list-todos';
import { updateTodo, useUpdateTodo } from '../api/todo-crud';
import { useBulkTodos } from '../api/bulk-todos';
import { useTasksRealtime } from '../hooks/useTasksRealtime';
import { reorderPatches } from '../hooks/reorder';
import { QuickAdd } from './QuickAdd';
import { TaskList } from './TaskList';
import { TaskBoard } from './TaskBoard';
import { TaskPanel } from './TaskPanel';
import { useQueryClient } from '@tanstack/preact-query';
import './tasks.css';

const INITIAL: TodoFilters = { status: 'open', priority: '', tag: '', due: '', q: '', sort: 'sort_order' };

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

function Filters({ f, set }: { f: TodoFilters; set: (f: TodoFilters) => void }) {
  return (
    <div class="filters" role="group" aria-label="Filters">
      <input
        type="search"
        aria-label="Search tasks"
        placeholder="Search tasks"
        value={f.q}
        onInput={(e) => set({ ...f, q: e.currentTarget.value })}
      />
      <select
        aria-label="Status"
        value={f.status}
        onChange={(e) => set({ ...f, status: e.currentTarget.value as TodoFilters['status'] })}
      >
        <option value="open">Open</option>
        <option value="">Any status</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {statusLabel[s]}
          </option>
        ))}
      </select>
      <select
        aria-label="Priority"
        value={f.priority}
        onChange={(e) => set({ ...f, priority: e.currentTarget.value as TodoFilters['priority'] })}
      >
        <option value="">Any priority</option>
        {PRIORITIES.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
      <select
        aria-label="Due"
        value={f.due}
        onChange={(e) => set({ ...f, due: e.currentTarget.value as TodoFilters['due'] })}
      >
        <option value="">Any due date</option>
        <option value="overdue">Overdue</option>
        <option value="today">Due today</option>
        <option value="week">Due in 7 days</option>
      </select>
      <input
        type="text"
        aria-label="Tag"
        placeholder="Tag"
        value={f.tag}
        onInput={(e) => set({ ...f, tag: e.currentTarget.value })}
      />
      <select
        aria-label="Sort"
        value={f.sort}
        onChange={(e) => set({ ...f, sort: e.currentTarget.value as TodoFilters['sort'] })}
      >
        <option value="sort_order">My order</option>
        <option value="due_date">Due date</option>
        <option value="-priority">Priority</option>
        <option value="-created_at">Newest</option>
        <option value="-updated_at">Recently changed</option>
      </select>
    </div>
  );
}

export function TasksScreen() {
  useTasksRealtime();
  const qc = useQueryClient();
  const [filters, setFilters] = useState<TodoFilters>(INITIAL);
  const debounced = useDebounced(filters, 250);
  const [view, setView] = useState<'list' | 'board'>('list');
  const [openId, setOpenId] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [undo, setUndo] = useState<UndoOffer | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [confirmBulkDelete, setConfirmBulkDelete] = useState(false);
  const list = useTodoList(debounced);
  const update = useUpdateTodo();
  const bulk = useBulkTodos();
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total ?? 0;
  const canReorder = debounced.sort === 'sort_order' && view === 'list';

  const fail = (what: string) => (e: unknown) => setProblem(`${what}: ${errorMessage(e)}`);
  const toggleDone = (t: Todo) => {
    const before = t.status;
    const next = before === 'completed' ? 'pending' : 'completed';
    update.mutate(
      { id: t.id, status: next },
      {
        onSuccess: () => {
          if (next === 'completed')
            setUndo({
              id: Date.now(),
              text: `Completed “${t.title}”`,
              undo: () => update.mutate({ id: t.id, status: before }, { onError: fail('Could not undo') }),
            });
        },
        onError: fail(`Could not update “${t.title}”`),
      },
    );
  };
  const move = async (from: number, to: number) => {
    try {
      for (const p of reorderPatches(items, from, to)) await updateTodo(p.id, { sort_order: p.sort_order });
    } catch (e) {
      fail('Could not reorder')(e);
    } finally {
      await qc.invalidateQueries({ queryKey: ['todos'] });
    }
  };
  const actions = (t: Todo, i: number) => ({
    selected: selected.has(t.id),
    onSelect: (on: boolean) =>
      setSelected((s) => {
        const n = new Set(s);
        if (on) n.add(t.id);
        else n.delete(t.id);
        return n;
      }),
    onOpen: () => setOpenId(t.id),
    onToggleDone: () => toggleDone(t),
    ...(canReorder
      ? {
          onMove: (d: -1 | 1) => void move(i, i + d),
          canMoveUp: i > 0,
          canMoveDown: i < items.length - 1,
        }
      : {}),
  });
  const ids = [...selected];
  const runBulk = (change: { status?: 'completed'; priority?: Priority; delete?: boolean }) =>
    bulk.mutate(
      { ids, ...change },
      {
        onSuccess: () => {
          setSelected(new Set());
          setConfirmBulkDelete(false);
        },
        onError: fail('Could not change the selected tasks'),
      },
    );
  const filtered =
    debounced.q || debounced.tag || debounced.priority || debounced.due || debounced.status !== 'open';

  return (
    <main class={`tasks${openId ? ' with-panel' : ''}`}>
      <div class="tasks-main">
        <header class="tasks-head">
          <h1>Tasks</h1>
          <div class="view-toggle" role="group" aria-label="View">
            <button type="button" aria-pressed={view === 'list'} onClick={() => setView('list')}>
              List
            </button>
            <button
              type="button"
              aria-pressed={view === 'board'}
              onClick={() => {
                setView('board');
                // The board's columns are the statuses: show them all.
                if (filters.status === 'open') setFilters({ ...filters, status: '' });
              }}
            >
              Board
            </button>
          </div>
        </header>
        <QuickAdd />
        <Filters f={filters} set={setFilters} />
        {selected.size > 0 && (
          <div class="bulk-bar" role="group" aria-label="Selected tasks">
            <span>{selected.size} selected</span>
            <button type="button" onClick={() => runBulk({ status: 'completed' })}>
              Complete selected
            </button>
            <select
              aria-label="Set priority of selected"
              value=""
              onChange={(e) =>
                e.currentTarget.value && runBulk({ priority: e.currentTarget.value as Priority })
              }
            >
              <option value="">Set priority…</option>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
            {confirmBulkDelete ? (
              <>
                <button type="button" class="danger" onClick={() => runBulk({ delete: true })}>
                  Yes, delete {selected.size}
                </button>
                <button type="button" onClick={() => setConfirmBulkDelete(false)}>
                  Cancel
                </button>
              </>
            ) : (
              <button type="button" class="danger" onClick={() => setConfirmBulkDelete(true)}>
                Delete selected
              </button>
            )}
            <button type="button" class="ghost" onClick={() => setSelected(new Set())}>
              Clear selection
            </button>
          </div>
        )}
        {problem && (
          <p class="error" role="alert">
            {problem}{' '}
            <button type="button" class="ghost" onClick={() => setProblem(null)}>
              Dismiss
            </button>
          </p>
        )}
        {list.isPending ? (
          <p class="muted" role="status">
            Loading tasks…
          </p>
        ) : list.isError ? (
          <p class="error" role="alert">
            Could not load tasks: {errorMessage(list.error)}{' '}
            <button type="button" onClick={() => void list.refetch()}>
              Try again
            </button>
          </p>
        ) : items.length === 0 ? (
          <p class="empty-state">
            {filtered
              ? 'No tasks match these filters. Clear the search or choose “Any status”.'
              : 'No open tasks. Type one in the box above, like “pay rent friday !high #home”, and press Enter.'}
          </p>
        ) : view === 'list' ? (
          <TaskList
            items={items}
            total={total}
            hasMore={!!list.hasNextPage}
            loadingMore={list.isFetchingNextPage}
            loadMore={() => void list.fetchNextPage()}
            actions={actions}
            onDrop={canReorder ? (from, to) => void move(from, to) : undefined}
          />
        ) : (
          <TaskBoard
            items={items}
            actions={actions}
            onMoveTo={(t, status) =>
              update.mutate({ id: t.id, status }, { onError: fail('Could not move it') })
            }
          />
        )}
      </div>
      {openId && (
        <TaskPanel id={openId} candidates={items} onClose={() => setOpenId(null)} onOpen={setOpenId} />
      )}
      <UndoToast offer={undo} onClose={() => setUndo(null)} />
    </main>
  );
}
