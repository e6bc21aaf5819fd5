/** The list view: virtualised rows, the next page of 100 loaded as the end comes into view. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Todo } from '../api/keys';
import { useVirtualList } from '../../../lib/useVirtualList';
import { TaskRow, type RowActions } from './TaskRow';

export function TaskList(props: {
  items: Todo[];
  total: number;
  hasMore: boolean;
  loadMore: () => void;
  loadingMore: boolean;
  actions: (todo: Todo, index: number) => RowActions;
  onDrop?: (from: number, to: number) => void;
}) {
  const { items } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const v = useVirtualList({
    count: items.length,
    getKey: (i) => items[i]?.id ?? String(i),
    scrollEl: () => scroller.current,
    estimate: 56,
  });
  const virtual = v.getVirtualItems();
  const lastShown = virtual.at(-1)?.index ?? 0;
  useEffect(() => {
    if (props.hasMore && !props.loadingMore && lastShown >= items.length - 20) props.loadMore();
  }, [lastShown, items.length, props.hasMore, props.loadingMore]);

  return (
    <div class="task-scroller" ref={scroller}>
      <div role="list" aria-label="Tasks" style={{ height: `${v.getTotalSize()}px`, position: 'relative' }}>
        {virtual.map((row) => {
          const todo = items[row.index];
          if (!todo) return null;
          return (
            <div
              role="listitem"
              key={row.key}
              data-index={row.index}
              ref={(el) => {
                if (el) v.measureElement(el);
              }}
              class={`vrow${dragFrom !== null ? ' dragging' : ''}`}
              style={{ transform: `translateY(${row.start}px)` }}
              draggable={!!props.onDrop}
              onDragStart={(e) => {
                setDragFrom(row.index);
                e.dataTransfer?.setData('text/plain', todo.id);
              }}
              onDragEnd={() => setDragFrom(null)}
              onDragOver={(e) => props.onDrop && e.preventDefault()}
              onDrop={(e) => {
                e.preventDefault();
                if (dragFrom !== null) props.onDrop?.(dragFrom, row.index);
                setDragFrom(null);
              }}
            >
              <TaskRow todo={todo} a={props.actions(todo, row.index)} />
            </div>
          );
        })}
      </div>
      <p class="muted small list-foot" aria-live="polite">
        {props.loadingMore ? 'Loading more…' : `${items.length} of ${props.total} shown`}
      </p>
    </div>
  );
}
