import type { Todo } from '../api/keys';
import { formatDue, isOverdue } from './format';

export interface RowActions {
  selected: boolean;
  onSelect: (on: boolean) => void;
  onOpen: () => void;
  onToggleDone: () => void;
  onMove?: (delta: -1 | 1) => void;
  canMoveUp?: boolean;
  canMoveDown?: boolean;
}

export function TaskRow({ todo, a }: { todo: Todo; a: RowActions }) {
  const done = todo.status === 'completed';
  const overdue = isOverdue(todo.due_date, done || todo.status === 'cancelled');
  return (
    <div class={`task-row${done ? ' done' : ''}${a.selected ? ' selected' : ''}`}>
      <input
        type="checkbox"
        aria-label={`Select ${todo.title}`}
        checked={a.selected}
        onChange={(e) => a.onSelect(e.currentTarget.checked)}
      />
      <button
        type="button"
        class="check"
        aria-label={done ? `Mark ${todo.title} not done` : `Complete ${todo.title}`}
        aria-pressed={done}
        onClick={a.onToggleDone}
      >
        <span aria-hidden="true">{done ? '✓' : ''}</span>
      </button>
      <button type="button" class="task-title" onClick={a.onOpen} aria-label={`Open ${todo.title}`}>
        <span class="title-text">{todo.title}</span>
        <span class="task-meta">
          {todo.status === 'in_progress' && <span class="chip">In progress</span>}
          {todo.status === 'cancelled' && <span class="chip">Cancelled</span>}
          {todo.due_date && (
            <span class={overdue ? 'due overdue' : 'due'}>{formatDue(todo.due_date, todo.due_has_time)}</span>
          )}
          {todo.tags.map((t) => (
            <span class="tag" key={t}>
              #{t}
            </span>
          ))}
        </span>
      </button>
      {todo.priority !== 'medium' && <span class={`badge ${todo.priority}`}>{todo.priority}</span>}
      {a.onMove && (
        <span class="move">
          <button
            type="button"
            class="ghost"
            aria-label={`Move ${todo.title} up`}
            disabled={!a.canMoveUp}
            onClick={() => a.onMove?.(-1)}
          >
            ↑
          </button>
          <button
            type="button"
            class="ghost"
            aria-label={`Move ${todo.title} down`}
            disabled={!a.canMoveDown}
            onClick={() => a.onMove?.(1)}
          >
            ↓
          </button>
        </span>
      )}
    </div>
  );
}
