import { monotonicFactory } from 'ulid';

export type IdPrefix =
  'conv' | 'msg' | 'todo' | 'evt' | 'memo' | 'task' | 'dev' | 'ses' | 'ntf' | 'att' | 'trel';

// Monotonic within a process, so ids made in the same millisecond still sort in creation order.
const nextUlid = monotonicFactory();

/** A time-ordered, collision-free id with its type prefix (`todo_01J...`). */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${nextUlid().toLowerCase()}`;
}
