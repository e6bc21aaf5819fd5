/**
 * The answer to "What time?" after a create_event without one: "at 4pm", "4", "tomorrow at 10",
 * "friday at 9am for an hour". Anything else is a new message and gets null.
 */
import type { UnderstandContext } from '../intents.js';
import { tidy, withoutSpans } from './lexicon/cleanup.js';
import { extractTemporal } from './time/dates.js';
import { formatMoment, resolveEnd, resolveMoment } from './time/moments.js';
import type { LocalDate } from './time/local-time.js';
import { normalise, stripPoliteness } from './lexicon/text.js';

// Words that frame a time without adding meaning: "ok, make it 4pm then", "let's say around 10".
const FRAMING =
  /\b(?:ok(?:ay)?|sure|yes|yeah|yep|fine|make\s+it|let'?s\s+(?:say|do|go\s+with|make\s+it)|how\s+about|what\s+about|say|maybe|probably|it's|it\s+is|it\s+starts|starts|starting|start|begins?|should\s+be|at|around|about|from|on|then|please|the|instead|works|would\s+work|is\s+good|is\s+fine|sounds\s+good)\b/gi;

function parseDay(day: string | undefined): LocalDate | undefined {
  const m = day ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(day) : null;
  return m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : undefined;
}

/**
 * A start (and end, with a duration or range) when the message reads as a time or date only;
 * `day` is the date the first message already gave. A date without a time ("tomorrow", "all
 * day") gives a bare-date start_time. Null when the message says anything else.
 */
export function readFollowUpTime(
  text: string,
  ctx: UnderstandContext,
  day?: string,
): { start_time: string; end_time?: string } | null {
  // An answer to "what time?" is short; anything long is a new message.
  if (text.length > 200) return null;
  let core = stripPoliteness(normalise(text)).text;
  // A bare number answers "what time?": "4", "let's say 4:30".
  const bare = /^(\d{1,2}(?::\d{2})?)$/.exec(tidy(core.replace(FRAMING, ' ')));
  if (bare?.[1]) core = `at ${bare[1]}`;
  const t = extractTemporal(core, ctx);
  const rest = tidy(withoutSpans(core, t.spans).replace(FRAMING, ' '));
  if (/[\p{L}\d]/u.test(rest) || !t.spans.length) return null;

  const known = t.date || t.today || t.instant ? undefined : parseDay(day);
  const moment = resolveMoment(t, ctx, known);
  if (!moment) return null;
  // A day alone ("tomorrow") still gives no time: a bare date, which the caller may ask about again.
  if (t.allDay || !moment.time) return { start_time: formatMoment({ date: moment.date }) };
  const end = resolveEnd(t, moment, ctx);
  return end ? { start_time: formatMoment(moment), end_time: end } : { start_time: formatMoment(moment) };
}
