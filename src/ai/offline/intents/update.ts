/**
 * Changes to existing items: status, priority, title, due date, time, place, memo text. The
 * target names the item; the change travels in the other params.
 */
import type { Classification, IntentParams, UnderstandContext } from '../../intents.js';
import { tidy, withoutSpans } from '../lexicon/cleanup.js';
import { extractTemporal } from '../time/dates.js';
import { formatMoment, resolveEnd, resolveMoment } from '../time/moments.js';
import type { ItemKind } from './patterns.js';
import { cleanTarget, inferKind, intentFor, named } from './targets.js';
import type { Temporal } from '../time/temporal.js';
import { NUMBER_SOURCE } from '../time/numbers.js';
import { stripQuotes } from '../lexicon/text.js';

type Status = NonNullable<IntentParams['status']>;
type Priority = NonNullable<IntentParams['priority']>;

const STATUS_WORDS: Array<[RegExp, Status]> = [
  [/^(?:in[\s-]progress|started|ongoing|doing|underway|wip)$/i, 'in_progress'],
  [
    /^(?:not\s+(?:yet\s+)?(?:done|complete|completed|finished)|undone|incomplete|uncompleted|pending|open|to\s*do|todo)$/i,
    'pending',
  ],
  [/^cancell?ed$/i, 'cancelled'],
];
const STATUS_RULES: Array<{ re: RegExp; status?: Status }> = [
  {
    re: /^(?:mark|set|change|move|put|flag|switch)\s+(?<target>.+?)\s+(?:as\s+|to\s+|back\s+to\s+|into\s+)?(?<status>in[\s-]progress|started|ongoing|doing|underway|wip|not\s+(?:yet\s+)?(?:done|complete|completed|finished)|undone|incomplete|uncompleted|pending|open|to\s*do|todo|cancell?ed)$/i,
  },
  { re: /^(?:reopen|re-open|unmark|uncheck|untick|undo|restore)\s+(?<target>.+)$/i, status: 'pending' },
  {
    re: /^(?:i'?m|i\s+am|we'?re)\s+(?:now\s+|currently\s+|still\s+)?(?:working\s+on|in\s+the\s+middle\s+of)\s+(?<target>.+)$/i,
    status: 'in_progress',
  },
  {
    re: /^(?:i(?:'ve|\s+have)?\s+)?(?:just\s+)?(?:started|began|begun)\s+(?:working\s+)?on\s+(?<target>.+)$/i,
    status: 'in_progress',
  },
  { re: /^start\s+working\s+on\s+(?<target>.+)$/i, status: 'in_progress' },
];

const PRIO = String.raw`(?<p>urgent|high|important|low|medium|normal|top|critical)`;
const PRIORITY_RULES: Array<{ re: RegExp; priority?: Priority }> = [
  {
    re: new RegExp(
      String.raw`^(?:change|set|update|make|raise|lower|bump|move|switch|put)\s+(?:the\s+)?prio(?:rity)?\s+(?:of|for|on)\s+(?<target>.+?)\s+(?:to|as|at)\s+${PRIO}(?:\s+prio(?:rity)?)?$`,
      'i',
    ),
  },
  {
    re: new RegExp(
      String.raw`^(?:set|make|mark|change|bump|move|put|upgrade|downgrade|flag|raise|lower|switch)\s+(?<target>.+?)(?:'s\s+prio(?:rity)?)?\s+(?:as\s+|to\s+|at\s+|up\s+to\s+|down\s+to\s+)?(?:an?\s+)?${PRIO}(?:\s+prio(?:rity)?)?$`,
      'i',
    ),
  },
  {
    re: new RegExp(
      String.raw`^(?<target>.+?)\s+is\s+(?:now\s+)?(?:an?\s+)?(?:(?:very|super|really)\s+)?(?<p>urgent|critical|(?:high|low|top)\s+prio(?:rity)?)(?:\s+now)?$`,
      'i',
    ),
  },
  { re: /^prioriti[sz]e\s+(?<target>.+)$/i, priority: 'high' },
  {
    re: /^(?:raise|increase|bump\s+up|up)\s+(?:the\s+)?prio(?:rity)?\s+(?:of|for|on)\s+(?<target>.+)$/i,
    priority: 'high',
  },
  {
    re: /^(?:lower|decrease|reduce|drop)\s+(?:the\s+)?prio(?:rity)?\s+(?:of|for|on)\s+(?<target>.+)$/i,
    priority: 'low',
  },
  { re: /^de-?prioriti[sz]e\s+(?<target>.+)$/i, priority: 'low' },
];

function priorityWord(word: string): Priority {
  const w = word.toLowerCase();
  if (w.startsWith('urgent') || w.startsWith('critical')) return 'urgent';
  if (w.startsWith('low')) return 'low';
  if (w.startsWith('medium') || w.startsWith('normal')) return 'medium';
  return 'high';
}

export function readStatusOrPriority(core: string): Classification | undefined {
  for (const rule of STATUS_RULES) {
    const m = rule.re.exec(core);
    const target = cleanTarget(m?.groups?.['target'] ?? '');
    if (!m || !named(target)) continue;
    const said = m.groups?.['status'];
    const status = rule.status ?? STATUS_WORDS.find(([re]) => re.test(said ?? ''))?.[1];
    if (status) return { intent: 'update_todo', params: { target, status } };
  }
  for (const rule of PRIORITY_RULES) {
    const m = rule.re.exec(core);
    const target = cleanTarget(m?.groups?.['target'] ?? '');
    if (!m || !named(target)) continue;
    return {
      intent: 'update_todo',
      params: { target, priority: rule.priority ?? priorityWord(m.groups?.['p'] ?? '') },
    };
  }
  return undefined;
}

const RENAME_RULES: RegExp[] = [
  /^(?:rename|retitle|re-name)\s+(?<target>.+?)\s+(?:to|as|into)\s+(?<value>.+)$/i,
  /^(?:change|update|edit|set)\s+(?:the\s+)?(?:title|name)\s+(?:of|for|on)\s+(?<target>.+?)\s+to\s+(?<value>.+)$/i,
  /^(?:change|update|edit|set)\s+(?<target>.+?)(?:'s)?\s+(?:title|name)\s+to\s+(?<value>.+)$/i,
];
const LOCATION_RULES: RegExp[] = [
  /^(?:change|update|set|move|switch)\s+(?:the\s+)?(?:location|venue|place|room|address|spot)\s+(?:of|for)\s+(?<target>.+?)\s+to\s+(?<value>.+)$/i,
  /^(?:change|update|set|move|switch)\s+(?<target>.+?)(?:'s)?\s+(?:location|venue|place|room|address)\s+to\s+(?<value>.+)$/i,
];
const MOVED =
  /^(?<target>.+?)\s+(?:is\s+now|will\s+now\s+be|will\s+be|has\s+(?:been\s+)?moved|is\s+moving|moved|got\s+moved)\s+(?:(?<link>to|at|in)\s+)?(?<value>.+)$/i;
// "the dentist is at 3 now, not 2": a fact restated with "now"/"instead"/"not ..." is a change.
const NOW_AT =
  /^(?<target>.+?)\s+(?:is|'s)\s+(?:now\s+)?(?<link>at|on|in)\s+(?<value>.+?)(?<change>\s+now|\s+instead|\s*,?\s+(?:not|instead\s+of)\s+.+)+$/i;
const DUE_RULES: RegExp[] = [
  /^(?:change|move|set|update|push|shift|extend|bump)\s+(?:the\s+)?(?:due\s+date|deadline|due)\s+(?:of|for|on)\s+(?<target>.+?)\s+(?:to|until|till|for)\s+(?<value>.+)$/i,
  /^(?:change|move|set|update|push|extend|bump)\s+(?<target>.+?)(?:'s)?\s+(?:due\s+date|deadline)\s+(?:to|until|till|for)\s+(?<value>.+)$/i,
  /^(?<target>.+?)\s+is\s+(?:now\s+)?due\s+(?<value>.+)$/i,
  /^(?:give|set)\s+(?<target>.+?)\s+a\s+(?:deadline|due\s+date)\s+(?:of|for|on)\s+(?<value>.+)$/i,
  /^(?:set|add|put)\s+a\s+(?:deadline|due\s+date)\s+(?:for|on|to)\s+(?<target>.+?)\s*(?::|-|,|\s+to|\s+of|\s+for)\s+(?<value>.+)$/i,
  /^(?<target>.+?)\s+should\s+be\s+due\s+(?:on\s+|by\s+)?(?<value>.+?)(?:,?\s+not\s+.+)?$/i,
  /^(?<target>.+?)\s+can\s+wait\s+(?:till|until|to|for)\s+(?<value>.+)$/i,
  /^(?:make|set|mark)\s+(?<target>.+?)\s+(?:as\s+)?due\s+(?:on\s+|by\s+)?(?<value>.+)$/i,
];
// "tag buy groceries with #errands", "add the tag work to review the contract"
const TAG_RULES: RegExp[] = [
  /^(?:tag|label)\s+(?<target>.+?)\s+(?:with|as)\s+(?:the\s+tag\s+)?(?<tag>#?[\p{L}\d_-]+)$/iu,
  /^(?:add|put)\s+(?:the\s+|a\s+)?(?:tag|label)\s+(?<tag>#?[\p{L}\d_-]+)\s+(?:to|on)\s+(?<target>.+)$/iu,
];
const TIME_RULES: RegExp[] = [
  /^(?:change|move|set|update|push|shift)\s+(?:the\s+)?(?:time|start(?:\s+time)?|date|day)\s+(?:of|for|on)\s+(?<target>.+?)\s+to\s+(?<value>.+)$/i,
];
const RESCHEDULE =
  /^(?<verb>move|reschedule|re-schedule|postpone|push(?:\s+back)?|shift|delay|bump|change|update|set(?!\s+up\b)|put\s+off|bring\s+forward|move\s+up|switch|defer)(?:\s*:)?\s+(?<rest>.+)$/i;
const SPLIT = /\s(?:to|until|till|for|on|back\s+to|over\s+to)\s/gi;
const DATE_START =
  /^(?:the\s+day\s+after|today|tonight|tomorrow|next|this|coming|(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|noon|midnight|morning|afternoon|evening|later|early|end\s+of|in\s+\S+\s+(?:minutes?|hours?|days?|weeks?|months?)|the\s+\d|\d)/i;

const MEMO_CONTENT_RULES: RegExp[] = [
  // "update the gate code memo - new code 2468", "replace the wifi note with: ..."
  /^(?:update|edit|change|amend|rewrite|replace|overwrite)\s+(?:my\s+|the\s+)?(?<target>.+?)\s+(?:note|memo)\s*(?:\s-+|\u2013|\u2014|\s+with\s*:?|\s+by\s*:)\s*(?<value>.+)$/i,
  // "in my grocery note, add apples"
  /^(?:in|on)\s+(?:my\s+|the\s+)?(?<target>.+?)\s+(?:note|memo)\s*[,:]\s*(?:(?:also|please)\s+)?(?:add|append|write|put|include)\s+(?<value>.+)$/i,
  /^(?:update|edit|change|amend)\s+(?:my\s+|the\s+)?(?:note|memo)\s+(?<target>[^:]+?)\s*:\s*(?<value>.+)$/i,
  /^(?:change|update|set|edit|replace)\s+(?:the\s+)?(?:content|contents|text|body)\s+(?:of|in)\s+(?:my\s+|the\s+)?(?:(?:note|memo)\s+(?:about|on|for|called|titled)\s+(?<target1>.+?)|(?<target>.+?)\s+(?:note|memo))\s+(?:to|with)\s+(?<value>.+)$/i,
  /^(?:update|edit|change|amend|rewrite|set)\s+(?:my\s+|the\s+)?(?:note|memo)\s+(?:about|on|for|regarding|titled|called)\s+(?<target>.+?)\s*(?::|\s+to\s*:|\s+to\s+say|\s+to\s+read|\s+so\s+it\s+(?:says|reads)|\s+with|,)\s*(?<value>.+)$/i,
  /^(?:update|edit|change|amend|rewrite|set)\s+(?:my\s+|the\s+)?(?<target>.+?)\s+(?:note|memo)\s*(?::|\s+to\s*:|\s+to\s+say|\s+to\s+read|\s+so\s+it\s+(?:says|reads)|\s+with|,)\s*(?<value>.+)$/i,
  // "the tire pressure note should say 36 psi"
  /^(?:the\s+|my\s+)?(?<target>.+?)\s+(?:note|memo)\s+should\s+(?:say|read|be)\s*:?\s*(?<value>.+)$/i,
  /^(?:add|append)\s+(?<value>.+?)\s+to\s+(?:my\s+|the\s+)?(?:note|memo)\s+(?:about|on|for|called|titled)\s+(?<target>.+)$/i,
  /^(?:add|append)\s+(?<value>.+?)\s+to\s+(?:my\s+|the\s+)?(?<target>.+?)\s+(?:notes?|memos?)$/i,
  // "add a line to the podcast ideas memo: interview a chef"
  /^(?:add|append)\s+(?:a\s+(?:line|bit|point|item|bullet)\s+)?to\s+(?:my\s+|the\s+)?(?<target>.+?)\s+(?:notes?|memos?)\s*(?::|,|-)\s*(?<value>.+)$/i,
  /^(?:add|append)\s+to\s+(?:my\s+|the\s+)?(?:note|memo)\s+(?:about|on|for|called|titled)\s+(?<target>.+?)\s*(?::|,|\s+that\b)\s*(?<value>.+)$/i,
  /^(?:add|append)\s+to\s+(?:my\s+|the\s+)?(?<target>.+?)\s+(?:note|memo)\s*(?::|,|\s+that\b)\s*(?<value>.+)$/i,
];

/** The text after a connector, read as a date/time, if that is all it is ("to friday at 5pm"). */
function pureTemporal(value: string, ctx: UnderstandContext): Temporal | undefined {
  // "friday now", "3pm instead": the words after the date only say it is a change.
  value = value.replace(/(?:[\s,]+(?:now|instead|then|please|again))+\s*$/i, '');
  if (!DATE_START.test(value.trim())) return undefined;
  // "to 3": a bare hour is a time here.
  if (/^\d{1,2}(?::\d{2})?$/.test(value.trim())) value = `at ${value.trim()}`;
  const t = extractTemporal(value, ctx);
  const rest = tidy(withoutSpans(value, t.spans)).replace(
    /\b(?:instead|please|then|now|again|same\s+time)\b/gi,
    '',
  );
  return t.spans.length && !/[\p{L}\d]/u.test(rest) ? t : undefined;
}

function changeOfTime(kind: ItemKind, t: Temporal, ctx: UnderstandContext): IntentParams {
  const moment = resolveMoment(t, ctx);
  if (!moment) return {};
  if (kind === 'todo') return { due_date: formatMoment(moment) };
  // A bare date moves an event to that day; its time of day is unknown here.
  const params: IntentParams = { start_time: formatMoment(moment) };
  const end = resolveEnd(t, moment, ctx);
  if (end) params.end_time = end;
  return params;
}

function withTarget(intent: Classification['intent'], target: string, change: IntentParams): Classification {
  return { intent, params: { target, ...change } };
}

export function readUpdate(core: string, ctx: UnderstandContext): Classification | undefined {
  for (const re of MEMO_CONTENT_RULES) {
    const m = re.exec(core);
    const target = cleanTarget(m?.groups?.['target'] ?? m?.groups?.['target1'] ?? '');
    if (m && named(target))
      return withTarget('update_memo', target, { content: stripQuotes(m.groups?.['value'] ?? '') });
  }
  for (const re of RENAME_RULES) {
    const m = re.exec(core);
    const raw = m?.groups?.['target'] ?? '';
    const target = cleanTarget(raw);
    if (m && named(target)) {
      return withTarget(intentFor('update', inferKind(raw)), target, {
        new_title: tidy(stripQuotes(m.groups?.['value'] ?? '')),
      });
    }
  }
  for (const re of TAG_RULES) {
    const m = re.exec(core);
    const raw = m?.groups?.['target'] ?? '';
    const target = cleanTarget(raw);
    const tag = m?.groups?.['tag']?.replace(/^#/, '').toLowerCase();
    if (m && tag && named(target))
      return withTarget(intentFor('update', inferKind(raw)), target, { tags: [tag] });
  }
  for (const re of DUE_RULES) {
    const m = re.exec(core);
    const target = cleanTarget(m?.groups?.['target'] ?? '');
    const t = m && named(target) ? pureTemporal(m.groups?.['value'] ?? '', ctx) : undefined;
    if (t) return withTarget('update_todo', target, changeOfTime('todo', t, ctx));
  }
  for (const re of TIME_RULES) {
    const m = re.exec(core);
    const raw = m?.groups?.['target'] ?? '';
    const target = cleanTarget(raw);
    const t = m && named(target) ? pureTemporal(m.groups?.['value'] ?? '', ctx) : undefined;
    if (t) {
      const kind = inferKind(raw, '', 'event');
      return withTarget(intentFor('update', kind), target, changeOfTime(kind, t, ctx));
    }
  }
  for (const re of LOCATION_RULES) {
    const m = re.exec(core);
    const target = cleanTarget(m?.groups?.['target'] ?? '');
    if (m && named(target))
      return withTarget('update_event', target, { location: placeName(m.groups?.['value'] ?? '') });
  }
  const moved = MOVED.exec(core) ?? NOW_AT.exec(core);
  if (moved) {
    const raw = moved.groups?.['target'] ?? '';
    const target = cleanTarget(raw);
    const value = moved.groups?.['value'] ?? '';
    const t = named(target) ? pureTemporal(value, ctx) : undefined;
    if (t) {
      const kind = inferKind(raw, 'reschedule', t.time || t.instant ? 'event' : 'todo');
      return withTarget(intentFor('update', kind), target, changeOfTime(kind, t, ctx));
    }
    if (named(target) && moved.groups?.['link'] && inferKind(raw) === 'event') {
      return withTarget('update_event', target, { location: placeName(value) });
    }
  }
  return readShift(core) ?? readReschedule(core, ctx) ?? readLength(core) ?? readEdit(core);
}

// "delay the team lunch by an hour", "push the dentist back two days", "move the call 30 minutes
// earlier": a shift, which no parameter carries; the orchestrator applies it to the item it finds.
const SHIFT = new RegExp(
  String.raw`^(?<verb>move|push|delay|postpone|shift|bump|bring|pull|put\s+off|defer|reschedule)\s+(?:back\s+|forward\s+|up\s+)?(?<target>.+?)\s+(?:(?:back|forward|ahead|up|out|later|earlier)\s+)?(?:by\s+)?(?:another\s+|about\s+|around\s+)?(?:${NUMBER_SOURCE})\s*-?\s*(?<unit>minutes?|mins?|hours?|hrs?|h|days?|weeks?|wks?)(?:\s+(?:earlier|later|sooner|back|forward|ahead|out))?$`,
  'i',
);

function readShift(core: string): Classification | undefined {
  const m = SHIFT.exec(core);
  const raw = m?.groups?.['target'] ?? '';
  const target = cleanTarget(raw);
  if (!m || !named(target) || /^(?:a|an|some|another)\s/i.test(raw)) return undefined;
  const clock = /^(?:m|h)/i.test(m.groups?.['unit'] ?? '');
  // Minutes and hours move things in a calendar ("move the call 30 minutes earlier").
  const kind =
    clock && !/\b(?:to-?dos?|tasks?|reminders?|notes?|memos?)\b/i.test(raw)
      ? 'event'
      : inferKind(raw, m.groups?.['verb'] ?? '', clock ? 'event' : 'todo');
  return withTarget(intentFor('update', kind), target, {});
}

// "extend the planning meeting to 2 hours", "make standup 15 minutes long": a new length, which
// no parameter carries; the item is still known, so the orchestrator can ask what to change.
const LENGTH =
  /^(?:extend|shorten|lengthen|cut|make|change|set)\s+(?<target>.+?)\s+(?:to\s+|by\s+|down\s+to\s+)?(?:an?|half\s+an|\d+(?:\.\d+)?|one|two|three|four|five|ten|fifteen|twenty|thirty|forty[\s-]five|ninety)\s*-?\s*(?:hours?|hrs?|minutes?|mins?)(?:\s+long(?:er)?|\s+longer|\s+shorter)?$/i;

function readLength(core: string): Classification | undefined {
  const m = LENGTH.exec(core);
  const raw = m?.groups?.['target'] ?? '';
  const target = cleanTarget(raw);
  return m && named(target) ? withTarget('update_event', target, {}) : undefined;
}

// "edit my grocery memo": which item is clear, what changes is not said yet.
const EDIT = /^(?:edit|update|modify|change|open\s+up)\s+(?<target>.+)$/i;

function readEdit(core: string): Classification | undefined {
  const raw = EDIT.exec(core)?.groups?.['target'] ?? '';
  if (!/\b(?:notes?|memos?|to-?dos?|tasks?|reminders?|events?)\b/i.test(raw)) return undefined;
  const target = cleanTarget(raw);
  return named(target) ? withTarget(intentFor('update', inferKind(raw)), target, {}) : undefined;
}

function placeName(value: string): string {
  return tidy(stripQuotes(value))
    .replace(/^(?:the)\s+/i, '')
    .replace(/\s+instead$/i, '');
}

function readReschedule(core: string, ctx: UnderstandContext): Classification | undefined {
  const m = RESCHEDULE.exec(core);
  if (!m) return undefined;
  const verb = (m.groups?.['verb'] ?? '').toLowerCase();
  // "delay the team lunch by an hour": a shift we cannot apply without the item's time; keep the item.
  const rest = (m.groups?.['rest'] ?? '').replace(
    /\s+by\s+(?:an?|half\s+an|\d+|a\s+few|a\s+couple\s+of)\s+(?:minutes?|mins?|hours?|days?|weeks?)\b.*$/i,
    '',
  );
  for (const split of rest.matchAll(SPLIT)) {
    // "move the couch on sunday" is a chore; only rescheduling verbs take "on"/"for" for the new time.
    if (
      /^\s*(?:on|for)\s/i.test(split[0]) &&
      !/^(?:reschedule|re-schedule|postpone|push|push\s+back|delay|defer|set|put\s+off)$/.test(verb)
    )
      continue;
    const raw = rest.slice(0, split.index);
    // "set an alarm for 7am" makes something new: existing items are "the/my ...", not "an ...".
    if (/^(?:a|an|some|another)\s/i.test(raw)) return undefined;
    const target = cleanTarget(raw);
    if (!named(target)) continue;
    const value = rest.slice(split.index + split[0].length);
    const t = pureTemporal(value, ctx);
    if (t) {
      // Moved to a clock time and not named like a task: an event ("move soccer to 10am").
      const kind = inferKind(raw, verb, t.time || t.instant ? 'event' : 'todo');
      return withTarget(intentFor('update', kind), target, changeOfTime(kind, t, ctx));
    }
    const priority =
      /^(?<p>urgent|high|low|medium|normal|top|important|critical)(?:\s+prio(?:rity)?)?$/i.exec(value.trim());
    if (priority)
      return withTarget('update_todo', target, { priority: priorityWord(priority.groups?.['p'] ?? '') });
    // "move the book club to the library": a place, if the item is an event.
    if (/^(?:move|switch|change)$/.test(verb) && /^\s*to\s/i.test(split[0]) && inferKind(raw) === 'event') {
      return withTarget('update_event', target, { location: placeName(value) });
    }
    if (/^(?:change|update)$/.test(verb) && /^\s*to\s/i.test(split[0])) {
      const kind = inferKind(raw);
      // A memo is changed by what it says; anything else by its name.
      const change =
        kind === 'memo' ? { content: stripQuotes(value) } : { new_title: tidy(stripQuotes(value)) };
      return withTarget(intentFor('update', kind), target, change);
    }
  }
  // "postpone the dentist appointment": which item is clear, the new time is not.
  if (/^(?:reschedule|re-schedule|postpone|delay|defer|put\s+off)$/.test(verb)) {
    const target = cleanTarget(rest);
    if (named(target)) return withTarget(intentFor('update', inferKind(rest, verb)), target, {});
  }
  return undefined;
}
