/** Memos: free text with a title derived from the first line when none is given. */
import type { MemoRow, MemoUpdate } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { notFound, orNotFound, validationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { EventSink } from '../../realtime/events.js';
import type { AttachmentsService } from '../attachments/attachments.service.js';
import {
  itemFields,
  newItemColumns,
  normaliseTags,
  publishChange,
  type WriteContext,
} from '../common/items.js';
import type { MemoFilter, MemosRepository } from './memos.repository.js';
import type { Memo, MemoCreate, MemoListQuery, MemoPatch } from './memos.schemas.js';
import { firstLine } from '../../lib/text.js';

const TITLE_MAX = 80;

export type MemosService = ReturnType<typeof createMemosService>;

export function toMemo(row: MemoRow): Memo {
  return {
    id: row.id,
    title: row.title,
    content: row.content,
    ...itemFields(row),
  };
}

/** The first non-empty line, cut at a word boundary to at most 80 characters. */
export function deriveTitle(content: string): string {
  const line = firstLine(content);
  const chars = [...line];
  if (chars.length <= TITLE_MAX) return line;
  const cut = chars.slice(0, TITLE_MAX - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > 40 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export function createMemosService(deps: {
  repo: MemosRepository;
  clock: Clock;
  publish: EventSink;
  /** A memo's files go with it. */
  attachments: Pick<AttachmentsService, 'collectOrphans'>;
}) {
  const { repo, clock } = deps;
  const titleFor = (title: string | null | undefined, content: string) =>
    title && title.trim() ? [...title.trim()].slice(0, TITLE_MAX).join('') : deriveTitle(content);

  return {
    async get(id: string): Promise<Memo> {
      return toMemo(orNotFound(await repo.find(id), 'Memo', id));
    },

    async create(input: MemoCreate, ctx: WriteContext = {}): Promise<Memo> {
      requireText(input.content);
      const now = clock.now().toISOString();
      const row: MemoRow = {
        id: newId('memo'),
        title: titleFor(input.title, input.content),
        content: input.content,
        ...newItemColumns(input.tags, ctx, now),
      };
      await repo.insert(row);
      publishChange(ctx, deps.publish, { module: 'memos', action: 'created', id: row.id });
      return toMemo(row);
    },

    async update(id: string, patch: MemoPatch, ctx: WriteContext = {}): Promise<Memo> {
      const current = orNotFound(await repo.find(id), 'Memo', id);
      const set: MemoUpdate = {};
      if (patch.content !== undefined) set.content = requireText(patch.content);
      if (patch.tags !== undefined) set.tags = JSON.stringify(normaliseTags(patch.tags));
      if (patch.title !== undefined) set.title = titleFor(patch.title, patch.content ?? current.content);
      else if (patch.content !== undefined && current.title === deriveTitle(current.content))
        set.title = deriveTitle(patch.content); // a derived title follows its content
      if (Object.keys(set).length === 0) return toMemo(current);
      set.updated_at = clock.now().toISOString();
      await repo.update(id, set);
      publishChange(ctx, deps.publish, { module: 'memos', action: 'updated', id });
      return toMemo({ ...current, ...set });
    },

    async remove(id: string, ctx: WriteContext = {}): Promise<Memo> {
      const current = await repo.find(id);
      if (!current || !(await repo.delete(id))) throw notFound('Memo', id);
      // Its attachments' rows lost their owner: remove them and their files.
      await deps.attachments.collectOrphans();
      publishChange(ctx, deps.publish, { module: 'memos', action: 'deleted', id });
      return toMemo(current);
    },

    async list(query: MemoListQuery & { page?: number; limit?: number }) {
      const page = query.page ?? 1;
      const limit = query.limit ?? 20;
      const filter: MemoFilter = { tag: query.tag, q: query.q?.trim() ? query.q : undefined };
      const { rows, total } = await repo.list(filter, page, limit);
      return { items: rows.map(toMemo), total, page, limit };
    },
  };
}

function requireText(content: string): string {
  if (!content.trim()) throw validationError('content', 'content must not be blank');
  return content;
}
