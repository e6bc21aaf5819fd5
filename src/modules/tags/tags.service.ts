import type { TagsRepository } from './tags.repository.js';

export type TagsService = ReturnType<typeof createTagsService>;

/** `GET /api/tags`: every tag of todos, events and memos, each once. */
export function createTagsService(deps: { repo: TagsRepository }) {
  return {
    /** Sorted here, not in SQL, so both databases answer alike whatever their collation. */
    async list(): Promise<{ tags: string[] }> {
      const tags = [...new Set(await deps.repo.distinct())];
      return { tags: tags.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) };
    },
  };
}
