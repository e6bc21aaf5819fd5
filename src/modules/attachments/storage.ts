/**
 * Attachment bytes on disk: one file per attachment, named by its id under ATTACHMENTS_DIR
 * (never by the client's filename, so no name can climb out of the folder). Uploads stream into
 * a temporary file beside it and are renamed into place once complete, so a reader never sees
 * half a file and a crash leaves only a `.part` the sweep removes.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import crypto from 'node:crypto';

export type FileStore = ReturnType<typeof createFileStore>;

const ID_PATTERN = /^att_[0-9a-z]+$/;

export function createFileStore(dir: string) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pathOf = (id: string) => {
    if (!ID_PATTERN.test(id)) throw new Error(`not an attachment id: ${id}`);
    return path.join(dir, id);
  };
  return {
    dir,
    pathOf,
    /** Streams `source` to a temporary file; `commit` renames it to the id, `discard` removes it. */
    async receive(
      source: Readable,
    ): Promise<{ bytes: number; commit(id: string): Promise<void>; discard(): Promise<void> }> {
      const temp = path.join(dir, `.part-${crypto.randomUUID()}`);
      let bytes = 0;
      source.on('data', (chunk: Buffer) => (bytes += chunk.length));
      try {
        await pipeline(source, fs.createWriteStream(temp, { mode: 0o600 }));
      } catch (err) {
        await fsp.rm(temp, { force: true });
        throw err;
      }
      return {
        bytes,
        commit: (id) => fsp.rename(temp, pathOf(id)),
        discard: () => fsp.rm(temp, { force: true }),
      };
    },
    async exists(id: string): Promise<boolean> {
      return (await fsp.stat(pathOf(id)).catch(() => null))?.isFile() ?? false;
    },
    async remove(id: string): Promise<void> {
      await fsp.rm(pathOf(id), { force: true });
    },
    /** Attachment files (by id) and leftover temporary files older than `olderThanMs`. */
    async listOld(olderThanMs: number, now: number): Promise<{ ids: string[]; temps: string[] }> {
      const ids: string[] = [];
      const temps: string[] = [];
      for (const name of await fsp.readdir(dir)) {
        const stat = await fsp.stat(path.join(dir, name)).catch(() => null);
        if (!stat?.isFile() || now - stat.mtimeMs < olderThanMs) continue;
        if (ID_PATTERN.test(name)) ids.push(name);
        else if (name.startsWith('.part-')) temps.push(name);
      }
      return { ids, temps };
    },
    async removeTemp(name: string): Promise<void> {
      await fsp.rm(path.join(dir, name), { force: true });
    },
  };
}
