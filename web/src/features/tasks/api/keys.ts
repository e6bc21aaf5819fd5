import type { Schemas } from '../../../lib/api';

export type Todo = Schemas['Todo'];
export type Status = Todo['status'];
export type Priority = Todo['priority'];
export type TodoSort = 'sort_order' | 'due_date' | 'priority' | '-created_at' | '-updated_at';

export interface TodoFilters {
  status: '' | Status | 'open';
  priority: '' | Priority;
  tag: string;
  due: '' | 'overdue' | 'today' | 'week';
  q: string;
  sort: TodoSort;
}

/** Every todo query starts with 'todos', so one invalidation refreshes lists, details and subtasks. */
export const todoKeys = {
  all: ['todos'] as const,
  list: (f: TodoFilters) => ['todos', 'list', f] as const,
  one: (id: string) => ['todos', 'one', id] as const,
  subtasks: (id: string) => ['todos', 'subtasks', id] as const,
  relationships: (id: string) => ['todos', 'relationships', id] as const,
};

export const STATUSES: Status[] = ['pending', 'in_progress', 'completed', 'cancelled'];
export const PRIORITIES: Priority[] = ['low', 'medium', 'high', 'urgent'];
export const statusLabel: Record<Status, string> = {
  pending: 'To do',
  in_progress: 'In progress',
  completed: 'Done',
  cancelled: 'Cancelled',
};
