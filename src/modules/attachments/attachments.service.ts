/**
 * Attachments (COMPAT.md): files on memos and todos. The row is written only once the whole
 * upload is on disk; deleting an owner leaves its attachments without one, and those are then
 * removed with their files. What a crash leaves between the two, the start-up sweep removes.
 */
import type { Readable } from 'node:stream';
import type { AttachmentRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { AppError, notFound, orNotFound, validationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { AttachmentOwner, AttachmentsRepository } from './attachments.repository.js';
import type { Attachment, AttachmentOwnerQuery } from './attachments.schemas.js';
import type { FileStore } from './storage.js';

export type AttachmentsService = ReturnType<typeof createAttachmentsService>;

/** Types a browser may show in place; everything else (HTML, SVG, scripts...) downloads. */
const INLINE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'application/pdf',
  'text/plain',
  'audio/mpeg',
  'audio/ogg',
  'video/mp4',
]);
export const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
/** Files and temporaries younger than this may belong to an upload still in flight elsewhere. */
const SWEEP_GRACE_MS = 60 * 60 * 1000;

export function toAttachment(row: AttachmentRow): Attachment {
  return {
    id: row.id,
    filename: row.filename,
    stored_filename: row.id,
    content_type: row.content_type,
    size_bytes: Number(row.size_bytes),
    memo_id: row.memo_id,
    todo_id: row.todo_id,
    url: `/api/attachments/${row.id}/download`,
    created_at: row.created_at,
  };
}

/** `?memo_id=` or `?todo_id=`, exactly one. */
export function ownerOf(query: AttachmentOwnerQuery): AttachmentOwner {
  if (query.memo_id !== undefined && query.todo_id !== undefined)
    throw validationError('memo_id', 'give either memo_id or todo_id, not both');
  if (query.memo_id !== undefined) return { memo_id: query.memo_id };
  if (query.todo_id !== undefined) return { todo_id: query.todo_id };
  throw validationError('memo_id', 'memo_id or todo_id is required');
}

/** The client's file name as a label: no path, no control characters, at most 255 characters. */
export function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  return [...base.replace(/[\u0000-\u001f\u007f]/g, '').trim()].slice(0, 255).join('');
}

export function createAttachmentsService(deps: {
  repo: AttachmentsRepository;
  store: FileStore;
  clock: Clock;
  maxBytes: number;
}) {
  const { repo, store, clock } = deps;

  async function requireOwner(owner: AttachmentOwner): Promise<void> {
    if (!(await repo.ownerExists(owner)))
      throw 'memo_id' in owner ? notFound('Memo', owner.memo_id) : notFound('Todo', owner.todo_id);
  }

  return {
    maxBytes: deps.maxBytes,
    /** Checked before the body is read, so an upload to nothing is refused at once. */
    requireOwner,

    /**
     * Streams one uploaded file to disk. `tooLarge()` tells whether the parser cut it at the
     * limit (the partial file is then discarded and the answer is 413).
     */
    async upload(
      owner: AttachmentOwner,
      file: { filename: string; mimetype: string; stream: Readable; tooLarge: () => boolean },
    ): Promise<Attachment> {
      const filename = cleanFilename(file.filename);
      if (!filename) throw validationError('file', 'the file needs a name');
      const received = await store.receive(file.stream);
      if (file.tooLarge()) {
        await received.discard();
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          `The file is larger than ${Math.round(deps.maxBytes / 1_048_576)} MB`,
        );
      }
      if (received.bytes === 0) {
        await received.discard();
        throw validationError('file', 'the file is empty');
      }
      const type = file.mimetype.toLowerCase().split(';')[0]!.trim();
      const row: AttachmentRow = {
        id: newId('att'),
        filename,
        content_type: MIME.test(type) ? type : 'application/octet-stream',
        size_bytes: received.bytes,
        memo_id: 'memo_id' in owner ? owner.memo_id : null,
        todo_id: 'todo_id' in owner ? owner.todo_id : null,
        created_at: clock.now().toISOString(),
      };
      await received.commit(row.id);
      try {
        // The owner may have been deleted while the bytes arrived: the foreign key refuses the row.
        await requireOwner(owner);
        await repo.insert(row);
      } catch (err) {
        await store.remove(row.id);
        throw err;
      }
      return toAttachment(row);
    },

    async list(owner: AttachmentOwner): Promise<Attachment[]> {
      await requireOwner(owner);
      return (await repo.listFor(owner)).map(toAttachment);
    },

    /** What a download sends: the file, its type, and whether a browser may show it in place. */
    async download(id: string): Promise<{ attachment: Attachment; path: string; inline: boolean }> {
      const row = orNotFound(await repo.find(id), 'Attachment', id);
      // A row whose file is gone (a restore without the files) is a 404, not a failed stream.
      if (!(await store.exists(row.id))) throw notFound('Attachment file', id);
      return {
        attachment: toAttachment(row),
        path: store.pathOf(row.id),
        inline: INLINE_TYPES.has(row.content_type),
      };
    },

    async remove(id: string): Promise<void> {
      if (!(await repo.delete(id))) throw notFound('Attachment', id);
      await store.remove(id);
    },

    /**
     * Removes the attachments whose memo or todo is gone (their rows lost the owner when it was
     * deleted, by any path), files first: a crash in between leaves a row the next call finds.
     * Memos and todos call it after a delete; the start-up sweep calls it too.
     */
    async collectOrphans(): Promise<number> {
      const ids = await repo.orphans();
      for (const id of ids) {
        await store.remove(id);
        await repo.delete(id);
      }
      return ids.length;
    },

    /** Removes files with no row and abandoned partial uploads (older than an hour). */
    async sweep(): Promise<{ files: number; temps: number }> {
      await this.collectOrphans();
      const { ids, temps } = await store.listOld(SWEEP_GRACE_MS, clock.now().getTime());
      const kept = await repo.existing(ids);
      const orphans = ids.filter((id) => !kept.has(id));
      await Promise.all([...orphans.map((id) => store.remove(id)), ...temps.map((t) => store.removeTemp(t))]);
      return { files: orphans.length, temps: temps.length };
    },

    totalBytes: () => repo.totalBytes(),
  };
}
