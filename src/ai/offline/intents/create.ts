/** New todos and events: "add buy milk tomorrow", "meeting with Haechan tomorrow at 3pm for an hour". */
import type { Classification, IntentParams, UnderstandContext } from '../../intents.js';
import {
  GAP,
  extractPriority,
  extractTags,
  stripAll,
  stripLeadingArticle,
  tidy,
  withoutSpans,
} from '../lexicon/cleanup.js';
import { toRRule } from '../time/calendar.js';
import { extractTemporal } from '../time/dates.js';
import { formatMoment, resolveEnd, resolveMoment } from '../time/moments.js';
import type { Temporal } from '../time/temporal.js';
import { addDays, compareDates, formatDate, formatDateTime } from '../time/local-time.js';
import { type Span, maskSpans, words } from '../lexicon/text.js';
import { EVENT_NOUNS, looksLikeEventTitle, startsWithTodoVerb } from '../lexicon/vocabulary.js';

type Kind = 'todo' | 'event';

/** Openings that make a message a todo whatever follows ("remind me to ...", "todo: ..."). */
export const TODO_CUES: readonly RegExp[] = [
  /^remind\s+me\s+(?:to|about|that|of)\b/i,
  /^remind\s+me\b(?!\s+(?:how|what|why|who|where|which|whether|if)\b)/i,
  /^(?:add|create|make|set|put|new|save)\s+(?:a\s+|an\s+|the\s+|this\s+|another\s+)?(?:new\s+)?(?:todo|to-do|to\s+do|task|reminder|item)(?:\s+for\s+me)?(?:\s+(?:to|for|that|about|called|named|titled))?\s*[:-]?/i,
  /^(?:todo|to-do|to\s+do|task|reminder|new\s+task|new\s+todo)\s*(?::|-|\u2013|\u2014)/i,
  /^(?:todo|to-do)\s+(?=\S)/i,
  /^set\s+(?:a\s+|an\s+)?reminder(?:\s+(?:to|for|about))?/i,
  /^i\s+(?:need|have|want|got|ought|plan)\s+to\b/i,
  /^i(?:'ve|\s+have)\s+got\s+to\b/i,
  /^i(?:'ll|\s+will)\s+(?:need|have)\s+to\b/i,
  /^i\s+(?:must|should|gotta)\b/i,
  /^(?:need|have|got)\s+to\b/i,
  /^(?:gotta|must)\b/i,
  /^(?:don'?t|do\s+not)\s+(?:let\s+me\s+)?forget\s+(?:to\s+|about\s+)?/i,
  /^remember\s+to\b/i,
  /^make\s+sure\s+(?:to|i|that\s+i)\b/i,
];

/** Openings that make a message an event: "schedule ...", "event: ...". */
const EVENT_OPENINGS: readonly RegExp[] = [
  /^(?:schedule|calendar)\s*(?::|-)\s*/i,
  /^schedule\b/i,
  /^(?:add|create|new|make)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:event|calendar\s+(?:event|entry))\b(?:\s+(?:for|called|titled|named))?\s*(?::|-)?/i,
  /^event\s*(?::|-|\u2013)\s*/i,
  // "pencil in lunch with Sara", "squeeze in a call": carrier phrases that only say "add to the calendar".
  /^(?:pencil|slot|squeeze|fit)\s+(?:me\s+)?in\s+(?:for\s+)?/i,
  /^(?:save\s+the\s+date|mark\s+(?:my|the)\s+calendar)\b\s*(?:for\b|:|-|,)?\s*/i,
];

/** Statements that announce an event: "I have a dentist appointment at 3", "we're having lunch". */
const EVENT_STATEMENTS: readonly RegExp[] = [
  /^(?:i\s+have|i've\s+got|i\s+got|we\s+have|we've\s+got|there's|there\s+is)\s+(?:a|an|my|the|our)\s+/i,
  /^(?:i'm|i\s+am|we're|we\s+are)\s+(?:having|attending|hosting|going\s+to(?:\s+the)?)\s+/i,
  /^(?:i'm|i\s+am|we're|we\s+are)\s+(?=meeting|seeing|visiting)/i,
];

const SET_UP =
  /^(?:set\s+up|arrange|organi[sz]e|book)\s+(?=(?:a|an)\s+(?:\S+\s+)?(?:meeting|call|session|sync|1:1|interview|lunch|dinner|coffee|catch-?up)\b)/i;

const EVENT_CUES: readonly RegExp[] = [
  ...EVENT_OPENINGS,
  SET_UP,
  /^block\s+(?:off\s+|out\s+)?(?:some\s+)?(?:time\s+)?(?:for|to)\s+/i,
  ...EVENT_STATEMENTS,
];

const CALENDAR_SUFFIX = /\s+(?:to|on|onto|in|into)\s+(?:my|the|our)\s+(?:calendar|schedule|agenda|diary)\b/i;
const LIST_SUFFIX =
  /\s+(?:to|on|onto|in|into)\s+(?:my|the)\s+(?:(?:todo|to-do|to\s+do|task|shopping|grocery)\s+)?(?:list|todos|to-dos|tasks)\b|\s+as\s+an?\s+(?:todo|task|reminder)\b/i;
const PUT_OR_ADD = /^(?:put|add|stick|throw|pop|place)\s+/i;
const WEAK_ADD = /^(?:add|new|create)\s*:?\s+/i;
const TITLE_NOISE: readonly RegExp[] = [/\s+(?:right\s+)?now$/i, /\s+asap$/i, /^(?:please|just)\s+/i];
// A finite verb makes a sentence about the world ("the weather is nice today"), not a task.
const SENTENCE = /\b(?:is|are|was|were|am|isn't|aren't|wasn't)\b/i;

// "at the main office", "@ Blue Bottle" -- but never "at 4pm", which dates.ts already took.
const AT_PLACE =
  /(?:^|\s)(?:at|@)\s+(?!\d)(?!(?:the\s+)?(?:latest|earliest|least|most|end|start|beginning|same\s+time|once|all)\b)(?<place>[^\uE000,;()]+?)(?=\s*(?:\uE000|,|;|\(|$|\s(?:with|for|about|regarding|to\s+discuss|and\s+then|on|from|at|to)\b))/i;
const IN_ROOM =
  /(?:^|\s)in\s+(?<place>(?:room|rm\.?|conference\s+room|meeting\s+room|office|building|hall|studio|lab|suite|floor)\s+[\p{L}\d-]+|the\s+(?:[\p{L}-]+\s+){0,3}?(?:room|office|lobby|hall|cafeteria|canteen|kitchen|library|gym|lounge|auditorium|building|studio|park|garden|cafe|café|restaurant|bar|courtyard|boardroom))(?=\s*(?:\uE000|,|;|$|\s))/iu;
const IN_PLACE_NAME =
  /(?:^|\s)in\s+(?<place>\p{Lu}[\p{L}'-]*(?:\s+\p{Lu}[\p{L}'-]*)*)(?=\s*(?:\uE000|,|;|$|\s))/u;
const ON_SERVICE =
  /(?:^|\s)(?:on|via|over)\s+(?<place>zoom|teams|microsoft\s+teams|google\s+meet|meet|skype|webex|discord|slack|facetime|whatsapp|the\s+phone)\b/i;

function findLocation(gapped: string): { place: string; span: Span } | undefined {
  for (const re of [IN_ROOM, AT_PLACE, ON_SERVICE, IN_PLACE_NAME]) {
    const m = re.exec(gapped);
    const place = m?.groups?.['place']?.trim();
    if (!m || !place) continue;
    const start = m.index + (m[0].length - m[0].trimStart().length);
    return { place: tidy(place).replace(/^the\s+/i, ''), span: { start, end: m.index + m[0].length } };
  }
  return undefined;
}

function matchesAny(text: string, patterns: readonly RegExp[]): RegExp | undefined {
  return patterns.find((re) => re.test(text));
}

interface Draft {
  kind?: Kind;
  title: string;
  weak: boolean;
  /** "due": the message states a deadline, which only todos have. */
  deadline: boolean;
}

/** Strips the openings and list names that say what to create, noting which kind they imply. */
function readCues(residual: string, deadline: boolean, forced?: Kind): Draft {
  const draft: Draft = { kind: forced, title: residual, weak: false, deadline };
  if (CALENDAR_SUFFIX.test(draft.title)) {
    draft.kind ??= 'event';
    draft.title = tidy(draft.title.replace(CALENDAR_SUFFIX, ' ').replace(PUT_OR_ADD, ''));
  }
  if (LIST_SUFFIX.test(draft.title)) {
    draft.kind ??= 'todo';
    draft.title = tidy(draft.title.replace(LIST_SUFFIX, ' ').replace(PUT_OR_ADD, ''));
  }
  // "create a reminder to ..." is a todo cue; only a bare "add ..." is the weak kind.
  if (
    !matchesAny(draft.title, TODO_CUES) &&
    !matchesAny(draft.title, EVENT_CUES) &&
    WEAK_ADD.test(draft.title)
  ) {
    draft.weak = true;
    draft.title = tidy(draft.title.replace(WEAK_ADD, ''));
  }
  const todoCue = matchesAny(draft.title, TODO_CUES);
  if (todoCue && draft.kind !== 'event') {
    draft.kind = 'todo';
    draft.title = stripAll(draft.title, TODO_CUES);
    return draft;
  }
  if (draft.kind !== 'todo' && matchesAny(draft.title, EVENT_CUES)) {
    // "I have a report due friday" announces a deadline, not an appointment.
    draft.kind = !forced && deadline ? 'todo' : 'event';
    draft.title = stripAll(draft.title, EVENT_CUES);
  }
  return draft;
}

/** Todo or event, from the shape of the title and the kind of time given. */
function decideKind(draft: Draft, t: Temporal, priority: boolean, tags: boolean): Kind | undefined {
  if (draft.kind) return draft.kind;
  const ws = words(draft.title);
  if (draft.deadline) return 'todo';
  // A length of time, a range or "all day" is a block in the calendar, whatever the title.
  if (t.durationMinutes !== undefined || t.end || t.allDay || t.lastDay) return 'event';
  const timed = Boolean(t.date || t.time || t.instant || t.partOfDay || t.period || t.today);
  // "weekly review every friday": a lone noun that repeats is a slot in the calendar.
  if (t.recurrence && ws.length === 1 && EVENT_NOUNS.has(ws[0]!)) return 'event';
  // A verb alone ("delete", "call") says too little to be a task unless a time comes with it.
  if (startsWithTodoVerb(ws) && (ws.length > 1 || timed)) return 'todo';
  if (looksLikeEventTitle(ws, draft.title)) return 'event';
  if (ws.length && (draft.weak || priority || tags)) return 'todo';
  if (!ws.length || SENTENCE.test(draft.title) || ws.length > 8) return undefined;
  if (t.time || t.instant || t.partOfDay) return 'event';
  return timed ? 'todo' : undefined;
}

function todoParams(title: string, t: Temporal, ctx: UnderstandContext): IntentParams {
  const params: IntentParams = { title: stripLeadingArticle(title) || 'Reminder' };
  const moment = resolveMoment(t, ctx);
  if (moment) params.due_date = formatMoment(moment);
  return params;
}

// Things that fill whole days: with a date and no time they are all-day events.
const WHOLE_DAY =
  /\b(?:birthday|anniversary|holiday|vacation|day\s+off|leave|trip|festival|conference|retreat|offsite|wedding|graduation)\b/i;

function eventParams(
  title: string,
  t: Temporal,
  place: string | undefined,
  ctx: UnderstandContext,
): IntentParams {
  const params: IntentParams = { title: stripLeadingArticle(title) || 'Event' };
  const moment = resolveMoment(t, ctx);
  const wholeDays = moment && !moment.time && (t.lastDay !== undefined || WHOLE_DAY.test(title));
  if (t.allDay || wholeDays) {
    params.is_all_day = true;
    if (moment) params.start_time = formatDate(moment.date);
    // An all-day event ends at the exclusive local midnight after its last day (API.md).
    if (moment && t.lastDay && compareDates(t.lastDay, moment.date) > 0) {
      params.end_time = formatDateTime(addDays(t.lastDay, 1), { hour: 0, minute: 0 });
    }
  } else if (moment) {
    // A day without a time stays a bare date with is_all_day false: the orchestrator asks for
    // the time and hands the day to readFollowUpTime.
    params.start_time = formatMoment(moment);
    if (!moment.time) params.is_all_day = false;
    const end = resolveEnd(t, moment, ctx);
    if (end) params.end_time = end;
  }
  if (place) params.location = place;
  if (t.recurrence) params.recurrence_rule = toRRule(t.recurrence, moment?.date);
  if (t.reminderMinutes !== undefined) params.reminder_minutes = t.reminderMinutes;
  return params;
}

/**
 * A create_todo / create_event for `core`, or undefined when it does not read as either.
 * `forced` is set when the caller already saw an unmistakable opening.
 */
export function readCreate(core: string, ctx: UnderstandContext, forced?: Kind): Classification | undefined {
  const tagged = extractTags(core);
  const prioritised = extractPriority(tagged.text);
  const text = prioritised.text;
  const t = extractTemporal(text, ctx);

  const gapped = maskSpans(text, t.spans, GAP);
  const deadline = /\bdue\b/i.test(text);
  const draft = readCues(withoutSpans(text, t.spans), deadline, forced);
  const kind = decideKind(draft, t, Boolean(prioritised.priority), tagged.tags.length > 0);
  if (!kind) return undefined;

  let title = draft.title;
  let place: string | undefined;
  if (kind === 'event') {
    const location = findLocation(gapped);
    if (location) {
      place = location.place;
      title = readCues(withoutSpans(text, [...t.spans, location.span]), deadline, kind).title;
    }
  }
  title = stripAll(title, TITLE_NOISE);
  // "schedule for today", "my schedule tomorrow": the noun, asking about the calendar.
  if (!title && kind === 'event' && /^(?:my\s+|the\s+)?schedule\b/i.test(core)) return undefined;

  const params = kind === 'todo' ? todoParams(title, t, ctx) : eventParams(title, t, place, ctx);
  if (prioritised.priority && kind === 'todo') params.priority = prioritised.priority;
  if (tagged.tags.length) params.tags = tagged.tags;
  return { intent: kind === 'todo' ? 'create_todo' : 'create_event', params };
}

const LEADING_DATE =
  /^(?:(?:on|at|by|this|next|in)\s+)?(?:(?:today|tonight|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day|noon|midnight|morning|evening|afternoon|\d{1,2}(?::\d{2})?\s*(?:am|pm)?)(?:\s+(?:at\s+\S+|morning|evening|afternoon|night))?[\s,:]+){1,3}/i;

/** Whether the message opens (after any date words) with an unmistakable todo or event cue. */
export function leadingCue(core: string): Kind | undefined {
  const lead = core.replace(LEADING_DATE, '');
  if (matchesAny(lead, TODO_CUES)) return 'todo';
  if (
    matchesAny(lead, EVENT_OPENINGS) ||
    SET_UP.test(lead) ||
    (CALENDAR_SUFFIX.test(lead) && PUT_OR_ADD.test(lead))
  )
    return 'event';
  return undefined;
}

/** "I have a dentist appointment at 3", "we're having lunch with Mina": a statement that is an event. */
export function isEventStatement(core: string): boolean {
  return matchesAny(core, EVENT_STATEMENTS) !== undefined;
}
