/** search: everything at once (todos, events, memos, messages). */
import { searchCard } from '../../modules/chat/cards.js';
import { LIST_MAX, plural, readableList } from '../replies.js';
import { withCard, type Context, type Handler } from './context.js';

export function searchHandler(ctx: Context): Handler {
  return {
    async run({ params: p, message }) {
      const q = (p.query ?? message).trim();
      const { items, total } = await ctx.deps.search.search({ q, page: 1, limit: LIST_MAX });
      const content =
        total === 0
          ? `I found nothing for "${q}".`
          : `I found ${plural(total, 'result')} for "${q}":\n${readableList(
              // A message in an untitled conversation has no title: its excerpt says what it is.
              items.map(
                (h) => `${h.title.trim() || h.snippet.replace(/\*\*/g, '').slice(0, 80)} (${h.type})`,
              ),
              total,
            )}`;
      return withCard(content, 'search', searchCard(items, total));
    },
  };
}
