import { describe, expect, it } from 'vitest';
import { buildCalendar, escapeText, foldLine, vtimezone, type IcsEvent } from './ics.js';

const NOW = new Date('2026-02-20T00:00:00Z');

function event(over: Partial<IcsEvent> = {}): IcsEvent {
  return {
    id: 'evt_1',
    title: 'Lunch',
    description: null,
    location: null,
    start: new Date('2026-02-23T03:00:00Z'),
    end: new Date('2026-02-23T04:00:00Z'),
    isAllDay: false,
    timezone: 'Asia/Seoul',
    rule: null,
    tags: [],
    reminderMinutes: null,
    created: NOW,
    updated: NOW,
    ...over,
  };
}

/** Physical lines, checked for CRLF, then unfolded into content lines. */
function contentLines(ics: string): string[] {
  expect(ics.endsWith('\r\n')).toBe(true);
  expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  return ics
    .slice(0, -2)
    .split('\r\n')
    .reduce<string[]>((lines, line) => {
      if (line.startsWith(' ')) lines[lines.length - 1] += line.slice(1);
      else lines.push(line);
      return lines;
    }, []);
}

/** The properties of the first VEVENT, by name (with parameters kept in the key). */
function veventProps(ics: string): Map<string, string> {
  const lines = contentLines(ics);
  const begin = lines.indexOf('BEGIN:VEVENT');
  const props = new Map<string, string>();
  for (const line of lines.slice(begin + 1, lines.indexOf('END:VEVENT', begin))) {
    const i = line.indexOf(':');
    if (!props.has(line.slice(0, i))) props.set(line.slice(0, i), line.slice(i + 1));
  }
  return props;
}

/** The calendar of one event (the defaults above changed by `over`), written at NOW. */
const calendarOf = (over: Partial<IcsEvent>) => buildCalendar([event(over)], { now: NOW });
const propsOf = (over: Partial<IcsEvent>) => veventProps(calendarOf(over));

describe('escapeText', () => {
  it('escapes backslashes, semicolons, commas and newlines', () => {
    expect(escapeText('a,b;c\\d\nE\r\nF\rG')).toBe('a\\,b\\;c\\\\d\\nE\\nF\\nG');
    expect(escapeText('tab\tkept, bell\u0007 dropped')).toBe('tab\tkept\\, bell dropped');
  });
});

describe('foldLine', () => {
  it('leaves short lines alone', () => {
    expect(foldLine('SUMMARY:short')).toBe('SUMMARY:short');
    expect(foldLine('X'.repeat(75))).toBe('X'.repeat(75));
  });

  it.each([
    ['ASCII', `DESCRIPTION:${'abcdefghij'.repeat(30)}`],
    ['Korean', `SUMMARY:${'회의록 정리 '.repeat(40)}`],
    ['emoji', `SUMMARY:${'🎉 party '.repeat(40)}`],
  ])('folds %s at 75 octets without splitting a character', (_name, line) => {
    const folded = foldLine(line);
    const physical = folded.split('\r\n');
    expect(physical.length).toBeGreaterThan(1);
    for (const [i, p] of physical.entries()) {
      expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(75);
      if (i > 0) expect(p.startsWith(' ')).toBe(true);
      expect(p).not.toContain('\ufffd');
      expect(p).not.toMatch(/[\ud800-\udbff]$/); // no lone high surrogate at a break
    }
    expect(physical.map((p, i) => (i === 0 ? p : p.slice(1))).join('')).toBe(line);
  });
});

describe('buildCalendar', () => {
  it('writes a valid calendar: CRLF, folded, balanced components, escaped text', () => {
    const ics = buildCalendar(
      [
        event({
          title: 'Review; budget, Q1',
          description: `Notes:\n${'long line '.repeat(20)}`,
          location: 'Room 1, HQ',
          tags: ['work', 'a,b'],
        }),
      ],
      { now: NOW, name: 'ClawChat' },
    );
    const physical = ics.slice(0, -2).split('\r\n');
    for (const p of physical) expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(75);
    const lines = contentLines(ics);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines.at(-1)).toBe('END:VCALENDAR');
    expect(lines).toContain('VERSION:2.0');
    expect(lines.some((l) => l.startsWith('PRODID:'))).toBe(true);
    for (const c of ['VCALENDAR', 'VEVENT']) {
      expect(lines.filter((l) => l === `BEGIN:${c}`)).toHaveLength(1);
      expect(lines.filter((l) => l === `END:${c}`)).toHaveLength(1);
    }
    const p = veventProps(ics);
    expect(p.get('UID')).toBe('evt_1@clawchat');
    expect(p.get('DTSTAMP')).toBe('20260220T000000Z');
    expect(p.get('SUMMARY')).toBe('Review\\; budget\\, Q1');
    expect(p.get('LOCATION')).toBe('Room 1\\, HQ');
    expect(p.get('DESCRIPTION')).toMatch(/^Notes:\\nlong line /);
    expect(p.get('CATEGORIES')).toBe('work,a\\,b');
    expect(p.get('DTSTART')).toBe('20260223T030000Z');
    expect(p.get('DTEND')).toBe('20260223T040000Z');
    expect(p.has('RRULE')).toBe(false);
    expect(lines).not.toContain('BEGIN:VTIMEZONE');
  });

  it('gives a timed event without an end one hour', () => {
    const p = propsOf({ end: null });
    expect(p.get('DTSTART')).toBe('20260223T030000Z');
    expect(p.get('DTEND')).toBe('20260223T040000Z');
  });

  it('writes all-day events as local DATEs with an exclusive end', () => {
    // 2026-03-01 and 02 in Seoul: local midnights are 15:00 UTC the day before.
    const p = propsOf({
      isAllDay: true,
      start: new Date('2026-02-28T15:00:00Z'),
      end: new Date('2026-03-02T15:00:00Z'),
    });
    expect(p.get('DTSTART;VALUE=DATE')).toBe('20260301');
    expect(p.get('DTEND;VALUE=DATE')).toBe('20260303');
    const oneDay = propsOf({ isAllDay: true, start: new Date('2026-02-28T15:00:00Z'), end: null });
    expect(oneDay.get('DTEND;VALUE=DATE')).toBe('20260302');
  });

  it("writes a recurring timed event on its zone's clock, with a VTIMEZONE and UNTIL in UTC", () => {
    const ics = calendarOf({
      timezone: 'America/New_York',
      start: new Date('2026-03-02T13:00:00Z'),
      end: null,
      rule: 'FREQ=WEEKLY;BYDAY=MO;UNTIL=20261231',
      reminderMinutes: 15,
    });
    const p = veventProps(ics);
    expect(p.get('DTSTART;TZID=America/New_York')).toBe('20260302T080000');
    expect(p.get('DTEND;TZID=America/New_York')).toBe('20260302T090000');
    expect(p.get('RRULE')).toBe('FREQ=WEEKLY;UNTIL=20270101T045959Z;BYDAY=MO');
    const lines = contentLines(ics);
    expect(lines).toContain('TZID:America/New_York');
    expect(lines.indexOf('BEGIN:VTIMEZONE')).toBeLessThan(lines.indexOf('BEGIN:VEVENT'));
    const alarm = lines.slice(lines.indexOf('BEGIN:VALARM'), lines.indexOf('END:VALARM') + 1);
    expect(alarm).toEqual([
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'DESCRIPTION:Lunch',
      'TRIGGER:-PT15M',
      'END:VALARM',
    ]);
  });

  it('writes an all-day rule with a DATE UNTIL', () => {
    const p = propsOf({
      isAllDay: true,
      start: new Date('2026-02-28T15:00:00Z'),
      end: null,
      rule: 'FREQ=YEARLY;UNTIL=20300301T000000Z',
    });
    expect(p.get('RRULE')).toBe('FREQ=YEARLY;UNTIL=20300301');
  });
});

describe('vtimezone', () => {
  it('lists the DST transitions as observances in local time', () => {
    const lines = vtimezone('America/New_York', 2026, 2026);
    const text = lines.join('\n');
    expect(lines[0]).toBe('BEGIN:VTIMEZONE');
    expect(lines.at(-1)).toBe('END:VTIMEZONE');
    expect(text).toContain('BEGIN:DAYLIGHT\nDTSTART:20260308T020000\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400');
    expect(text).toContain('BEGIN:STANDARD\nDTSTART:20261101T020000\nTZOFFSETFROM:-0400\nTZOFFSETTO:-0500');
  });

  it('writes one observance for a zone without DST', () => {
    const lines = vtimezone('Asia/Seoul', 2026, 2046);
    expect(
      lines.filter((l) => l.startsWith('BEGIN:STANDARD') || l.startsWith('BEGIN:DAYLIGHT')),
    ).toHaveLength(1);
    expect(lines).toContain('TZOFFSETTO:+0900');
  });
});
