import type { Todo } from '../api/keys';

/**
 * The sort_order changes that move items[from] to position `to` of the loaded window.
 * One PATCH when the neighbours leave an integer gap; otherwise the window is renumbered with
 * gaps, below the last loaded value so todos not loaded yet keep their place after it.
 */
export function reorderPatches(
  items: Todo[],
  from: number,
  to: number,
): { id: string; sort_order: number }[] {
  if (from === to || to < 0 || to >= items.length) return [];
  const order = items.slice();
  const [moved] = order.splice(from, 1);
  if (!moved) return [];
  order.splice(to, 0, moved);
  const before = order[to - 1];
  const after = order[to + 1];
  if (before && after && after.sort_order - before.sort_order >= 2)
    return [{ id: moved.id, sort_order: Math.floor((before.sort_order + after.sort_order) / 2) }];
  if (!before && after && after.sort_order > -2_000_000_000)
    return [{ id: moved.id, sort_order: after.sort_order - 1024 }];
  const last = Math.max(...items.map((t) => t.sort_order));
  const n = order.length;
  return order
    .map((t, i) => ({ id: t.id, sort_order: last - (n - i) * 16, was: t.sort_order }))
    .filter((p) => p.sort_order !== p.was)
    .map(({ id, sort_order }) => ({ id, sort_order }));
}
