/** The board view: a column per status; drop a card on a column to move it there. */
import { useState } from 'preact/hooks';
import { STATUSES, statusLabel, type Status, type Todo } from '../api/keys';
import { TaskRow, type RowActions } from './TaskRow';

export function TaskBoard(props: {
  items: Todo[];
  actions: (todo: Todo, index: number) => RowActions;
  onMoveTo: (todo: Todo, status: Status) => void;
}) {
  const [over, setOver] = useState<Status | null>(null);
  return (
    <div class="board">
      {STATUSES.map((s) => {
        const col = props.items.filter((t) => t.status === s);
        return (
          <section
            key={s}
            class={`board-col${over === s ? ' over' : ''}`}
            aria-labelledby={`col-${s}`}
            onDragOver={(e) => {
              e.preventDefault();
              setOver(s);
            }}
            onDragLeave={() => setOver(null)}
            onDrop={(e) => {
              e.preventDefault();
              setOver(null);
              const id = e.dataTransfer?.getData('text/plain');
              const todo = props.items.find((t) => t.id === id);
              if (todo && todo.status !== s) props.onMoveTo(todo, s);
            }}
          >
            <h2 id={`col-${s}`}>
              {statusLabel[s]} <span class="muted">{col.length}</span>
            </h2>
            <ul class="plain">
              {col.map((t) => (
                <li key={t.id} draggable onDragStart={(e) => e.dataTransfer?.setData('text/plain', t.id)}>
                  <TaskRow todo={t} a={props.actions(t, props.items.indexOf(t))} />
                </li>
              ))}
            </ul>
            {col.length === 0 && <p class="muted small">Drop a task here.</p>}
          </section>
        );
      })}
    </div>
  );
}
