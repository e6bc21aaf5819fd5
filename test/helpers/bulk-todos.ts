/**
 * Plain pending todos as rows of an export document, for seeding thousands through
 * `POST /api/import` (the browser tests and bench/web-workspaces.ts).
 */
export function todoRows(prefix: string, from: number, count: number, at: string) {
  return Array.from({ length: count }, (_, k) => ({
    id: `todo_${prefix}${String(from + k).padStart(5, '0')}`,
    title: `${prefix[0]!.toUpperCase()}${prefix.slice(1)} task ${from + k}`,
    description: null,
    status: 'pending',
    priority: 'medium',
    priority_rank: 2,
    due_date: null,
    due_has_time: 0,
    completed_at: null,
    tags: '[]',
    conversation_id: null,
    message_id: null,
    created_at: at,
    updated_at: at,
    parent_id: null,
    sort_order: from + k,
  }));
}
