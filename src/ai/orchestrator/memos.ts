/** create_memo, query_memos, update_memo, delete_memo. */
import { itemCard, type ItemType } from '../../modules/chat/cards.js';
import type { MemoPatch } from '../../modules/memos/memos.schemas.js';
import { LIST_MAX, describeMemo, plural } from '../replies.js';
import { appendText, changeOptions } from './changes.js';
import { defined, listReply, withCard, type Context, type Handler } from './context.js';
import { shown, type AnyGateway, type Gateways } from './items.js';
import { confirmDelete, saveChange, targetHandler } from './targets.js';

export function memoHandlers(ctx: Context, items: Gateways, anyItems: Record<ItemType, AnyGateway>) {
  const { memos } = ctx.deps;
  return {
    create_memo: {
      async run({ io, params: p, message }) {
        const content = (p.content ?? p.description ?? message).trim() || message;
        const memo = await memos.create(
          { content, ...defined({ title: p.title, tags: p.tags }) },
          ctx.writeCtx(io),
        );
        return withCard(`Saved a memo: "${memo.title}".`, 'create_memo', itemCard('memo', 'created', memo));
      },
    } satisfies Handler,

    query_memos: {
      async run({ params: p }) {
        const { items: found, total } = await memos.list({
          page: 1,
          limit: LIST_MAX,
          ...defined({ q: p.query, tag: p.tags?.[0] }),
        });
        const matching = p.query ? ` matching "${p.query}"` : '';
        return listReply('query_memos', 'memo', found, total, {
          none: `You have no memos${matching}.`,
          heading: `You have ${plural(total, 'memo')}${matching}`,
          describe: (m) => describeMemo(m),
        });
      },
    } satisfies Handler,

    update_memo: targetHandler({
      intent: 'update_memo',
      gateway: items.memo,
      async act({ io, params: p, message }, memo, fromText) {
        const appends = fromText && changeOptions(ctx, undefined, message).appends;
        const content = p.content !== undefined && appends ? appendText(memo.content, p.content) : p.content;
        const patch: MemoPatch = defined({ content, title: p.new_title, tags: p.tags });
        return saveChange(
          items.memo,
          'update_memo',
          memo,
          patch,
          (id, patch) => memos.update(id, patch, ctx.writeCtx(io)),
          {
            ask: (m) => `What should I change in the memo "${m.title}"?`,
            done: (updated) => `Updated the memo "${updated.title}".`,
          },
        );
      },
    }),

    delete_memo: targetHandler({
      intent: 'delete_memo',
      gateway: items.memo,
      anyType: anyItems,
      act: async (_turn, memo) => confirmDelete(shown(items.memo, memo), 'delete_memo'),
    }),
  };
}
