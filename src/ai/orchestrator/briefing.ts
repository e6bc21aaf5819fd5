/** daily_briefing: the briefing module's text (LLM prose or its template) as a `briefing` card. */
import { briefingCard } from '../../modules/chat/cards.js';
import { text, withCard, type Context, type Handler } from './context.js';

export function briefingHandler(ctx: Context): Handler {
  return {
    async run({ io }) {
      let b: { text: string; date: string };
      try {
        b = await ctx.deps.briefing.build(io.signal);
      } catch (err) {
        if (io.signal.aborted) return text('', 'daily_briefing', { status: 'stopped' });
        throw err;
      }
      return withCard(b.text, 'daily_briefing', briefingCard(b.text, b.date));
    },
  };
}
