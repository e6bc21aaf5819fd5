/**
 * Acting on existing items: complete, delete and update. Status and priority changes are read
 * first so that "mark X as in progress" is not taken for "mark X as done".
 */
import type { Classification, UnderstandContext } from '../intents.js';
import { readComplete } from './complete.js';
import { readDelete } from './delete.js';
import { readStatusOrPriority, readUpdate } from './update.js';

/** Complete / delete / update requests, or undefined when the message does not act on an item. */
export function readManage(core: string, ctx: UnderstandContext): Classification | undefined {
  return readStatusOrPriority(core) ?? readComplete(core) ?? readDelete(core) ?? readUpdate(core, ctx);
}
