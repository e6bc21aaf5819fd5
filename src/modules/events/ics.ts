/**
 * iCalendar (RFC 5545) writer for the event exports: TEXT escaping, lines folded at 75 octets
 * (never inside a UTF-8 sequence), CRLF line ends.
 *
 * Times: one-off timed events are written in UTC; all-day events as VALUE=DATE (local dates of
 * the event's zone, DTEND exclusive); a timed event without an end lasts one hour. A recurring
 * timed event is written with DTSTART;TZID=<its zone> and a VTIMEZONE, because a UTC DTSTART
 * would make calendar apps repeat it on the UTC clock and drift by an hour across DST.
 */
import { DateTime } from 'luxon';
import { ruleForIcs } from './recurrence.js';

export interface IcsEvent {
  id: string;
  title: string;
  description: string | null;
  location: string | null;
  start: Date;
  end: Date | null;
  isAllDay: boolean;
  /** The zone the series repeats in; all-day dates are its local dates. */
  timezone: string;
  rule: string | null;
  tags: string[];
  reminderMinutes: number | null;
  created: Date;
  updated: Date;
  /** A recurring event's end (`recurrence_end`): its local date and the instant after it. */
  until?: { date: string; stop: Date } | null;
  /** Starts of the rule's occurrences removed from the series (EXDATE). */
  exdates?: Date[];
  /** Occurrences changed alone: each its own VEVENT with RECURRENCE-ID. */
  overrides?: IcsOverride[];
}

export interface IcsOverride {
  /** The start the occurrence had in the rule. */
  recurrenceId: Date;
  title: string;
  description: string | null;
  location: string | null;
  start: Date;
  end: Date | null;
  updated: Date;
}

const CRLF = '\r\n';
const MAX_OCTETS = 75;
/** How far past the last start (or now) a VTIMEZONE lists the zone's transitions. */
const VTIMEZONE_YEARS_AHEAD = 20;

/** Escapes a TEXT value: backslash, semicolon, comma and newlines; drops other control characters. */
export function escapeText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ''); // eslint-disable-line no-control-regex
}

/** Folds one content line into pieces of at most 75 octets; continuation lines start with a space. */
export function foldLine(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= MAX_OCTETS) return line;
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > MAX_OCTETS) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join(CRLF);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const utcStamp = (d: Date) =>
  `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
const localStamp = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat("yyyyMMdd'T'HHmmss");
const localDate = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat('yyyyMMdd');

/** A rule cut at `until`: COUNT and an earlier UNTIL give way (the service passes it only when it cuts). */
function cutRule(rule: string, e: IcsEvent): string {
  if (!e.until) return rule;
  const parts = rule.split(';').filter((p) => !p.startsWith('COUNT=') && !p.startsWith('UNTIL='));
  const until = e.isAllDay
    ? e.until.date.replace(/-/g, '')
    : utcStamp(new Date(e.until.stop.getTime() - 1000));
  return [...parts, `UNTIL=${until}`].join(';');
}

/** A DTSTART-like property of a recurring event, in the form its DTSTART has. */
function seriesTime(name: string, at: Date, e: IcsEvent): string {
  return e.isAllDay
    ? `${name};VALUE=DATE:${localDate(at, e.timezone)}`
    : `${name};TZID=${e.timezone}:${localStamp(at, e.timezone)}`;
}

function overrideLines(e: IcsEvent, o: IcsOverride, now: Date): string[] {
  const end = o.end ?? (e.isAllDay ? null : new Date(o.start.getTime() + 3_600_000));
  const lines = [
    'BEGIN:VEVENT',
    `UID:${e.id}@clawchat`,
    `DTSTAMP:${utcStamp(now)}`,
    `LAST-MODIFIED:${utcStamp(o.updated)}`,
    seriesTime('RECURRENCE-ID', o.recurrenceId, e),
    `SUMMARY:${escapeText(o.title)}`,
    seriesTime('DTSTART', o.start, e),
  ];
  if (end !== null) lines.push(seriesTime('DTEND', end, e));
  if (o.description) lines.push(`DESCRIPTION:${escapeText(o.description)}`);
  if (o.location) lines.push(`LOCATION:${escapeText(o.location)}`);
  lines.push('END:VEVENT');
  return lines;
}

function eventLines(e: IcsEvent, now: Date): string[] {
  const lines = [
    'BEGIN:VEVENT',
    `UID:${e.id}@clawchat`,
    `DTSTAMP:${utcStamp(now)}`,
    `CREATED:${utcStamp(e.created)}`,
    `LAST-MODIFIED:${utcStamp(e.updated)}`,
    `SUMMARY:${escapeText(e.title)}`,
  ];
  const icsRule = e.rule === null ? null : ruleForIcs(e.rule, e.timezone, e.isAllDay ? 'date' : 'date-time');
  const rule = icsRule === null ? null : cutRule(icsRule, e);
  if (e.isAllDay) {
    const end = e.end ?? DateTime.fromJSDate(e.start, { zone: e.timezone }).plus({ days: 1 }).toJSDate();
    lines.push(
      `DTSTART;VALUE=DATE:${localDate(e.start, e.timezone)}`,
      `DTEND;VALUE=DATE:${localDate(end, e.timezone)}`,
    );
  } else {
    const end = e.end ?? new Date(e.start.getTime() + 3_600_000);
    if (rule === null) lines.push(`DTSTART:${utcStamp(e.start)}`, `DTEND:${utcStamp(end)}`);
    else
      lines.push(
        `DTSTART;TZID=${e.timezone}:${localStamp(e.start, e.timezone)}`,
        `DTEND;TZID=${e.timezone}:${localStamp(end, e.timezone)}`,
      );
  }
  if (rule !== null) {
    lines.push(`RRULE:${rule}`);
    for (const at of e.exdates ?? []) lines.push(seriesTime('EXDATE', at, e));
  }
  if (e.description) lines.push(`DESCRIPTION:${escapeText(e.description)}`);
  if (e.location) lines.push(`LOCATION:${escapeText(e.location)}`);
  if (e.tags.length > 0) lines.push(`CATEGORIES:${e.tags.map(escapeText).join(',')}`);
  if (e.reminderMinutes !== null)
    lines.push(
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      `DESCRIPTION:${escapeText(e.title)}`,
      `TRIGGER:-PT${e.reminderMinutes}M`,
      'END:VALARM',
    );
  lines.push('END:VEVENT');
  if (rule !== null) for (const o of e.overrides ?? []) lines.push(...overrideLines(e, o, now));
  return lines;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

const vtimezoneCache = new Map<string, string[]>();

/**
 * A VTIMEZONE for the zone from `fromYear` to `toYear`: an opening observance, then each
 * offset change found by a daily scan (bisected to the minute), as the zone's rules in Luxon's
 * (the platform's) tz database have it.
 */
export function vtimezone(zone: string, fromYear: number, toYear: number): string[] {
  const key = `${zone}|${fromYear}|${toYear}`;
  const cached = vtimezoneCache.get(key);
  if (cached) return cached;
  const offsetAt = (ms: number) => DateTime.fromMillis(ms, { zone }).offset;
  const begin = DateTime.fromObject({ year: fromYear, month: 1, day: 1 }, { zone }).toMillis();
  const finish = DateTime.fromObject({ year: toYear + 1, month: 1, day: 1 }, { zone }).toMillis();
  const first = DateTime.fromMillis(begin, { zone });
  const lines = [
    'BEGIN:VTIMEZONE',
    `TZID:${zone}`,
    first.isInDST ? 'BEGIN:DAYLIGHT' : 'BEGIN:STANDARD',
    `DTSTART:${first.toFormat("yyyyMMdd'T'HHmmss")}`,
    `TZOFFSETFROM:${formatOffset(first.offset)}`,
    `TZOFFSETTO:${formatOffset(first.offset)}`,
    `TZNAME:${escapeText(first.offsetNameShort ?? formatOffset(first.offset))}`,
    first.isInDST ? 'END:DAYLIGHT' : 'END:STANDARD',
  ];
  const day = 86_400_000;
  let prev = begin;
  let prevOffset = first.offset;
  for (let t = begin + day; t <= finish; t += day) {
    const offset = offsetAt(t);
    if (offset === prevOffset) {
      prev = t;
      continue;
    }
    let lo = prev;
    let hi = t;
    while (hi - lo > 1000) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(mid) === prevOffset) lo = mid;
      else hi = mid;
    }
    const at = DateTime.fromMillis(hi, { zone });
    // DTSTART of an observance is the local time just before the change, in the old offset.
    const localBefore = DateTime.fromMillis(hi + prevOffset * 60_000, { zone: 'utc' });
    const kind = at.isInDST ? 'DAYLIGHT' : 'STANDARD';
    lines.push(
      `BEGIN:${kind}`,
      `DTSTART:${localBefore.toFormat("yyyyMMdd'T'HHmmss")}`,
      `TZOFFSETFROM:${formatOffset(prevOffset)}`,
      `TZOFFSETTO:${formatOffset(at.offset)}`,
      `TZNAME:${escapeText(at.offsetNameShort ?? formatOffset(at.offset))}`,
      `END:${kind}`,
    );
    prev = t;
    prevOffset = offset;
  }
  lines.push('END:VTIMEZONE');
  if (vtimezoneCache.size > 100) vtimezoneCache.clear();
  vtimezoneCache.set(key, lines);
  return lines;
}

/** A whole VCALENDAR of the events, CRLF-terminated and folded. */
export function buildCalendar(events: readonly IcsEvent[], opts: { now: Date; name?: string }): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//ClawChat//ClawChat Server//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
  ];
  if (opts.name) lines.push(`X-WR-CALNAME:${escapeText(opts.name)}`);

  // One VTIMEZONE per zone that a TZID refers to (recurring timed events).
  const years = new Map<string, { from: number; to: number }>();
  for (const e of events) {
    if (e.isAllDay || e.rule === null) continue;
    const year = DateTime.fromJSDate(e.start, { zone: e.timezone }).year;
    const span = years.get(e.timezone) ?? { from: year, to: year };
    years.set(e.timezone, { from: Math.min(span.from, year), to: Math.max(span.to, year) });
  }
  const nowYear = opts.now.getUTCFullYear();
  for (const [zone, span] of years) {
    const to = Math.max(span.to, nowYear) + VTIMEZONE_YEARS_AHEAD;
    // Bounded scan; earlier starts fall under the first observance (clients extend it backwards).
    lines.push(...vtimezone(zone, Math.max(span.from, 1900, to - 200), to));
  }

  for (const e of events) lines.push(...eventLines(e, opts.now));
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join(CRLF) + CRLF;
}
