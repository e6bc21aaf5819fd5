/** What a message says about time, before it is resolved against "now". */
import type { DateTime } from 'luxon';

import type { ClockTime, LocalDate } from './local-time.js';
import type { Span } from '../lexicon/text.js';

export type PartOfDay = 'morning' | 'afternoon' | 'evening' | 'tonight' | 'night' | 'end_of_day';

export interface Recurrence {
  freq: 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
  interval: number;
  /** ISO weekdays, Monday = 1. */
  byDay?: number[];
}

/** A stretch of days: "this week", "next month", "the weekend". `due` is the day it means as a deadline. */
export interface Period {
  from: LocalDate;
  to: LocalDate;
  due: LocalDate;
}

/** Everything temporal found in a text; `spans` are the characters that said it. */
export interface Temporal {
  spans: Span[];
  date?: LocalDate;
  /** The date came from a weekday name alone, so a recurrence may pick its own first day. */
  dateFromWeekday?: boolean;
  time?: ClockTime;
  end?: { date?: LocalDate; time: ClockTime };
  /** "the 10th": a day of the month, placed in `period` when one was named ("next month on the 10th"). */
  dayOfMonth?: number;
  /** "from March 20 to March 22": the last day of a span of whole days. */
  lastDay?: LocalDate;
  /** "in 2 hours": an exact moment, not a wall-clock reading. */
  instant?: DateTime;
  partOfDay?: PartOfDay;
  /** "tonight", "this evening": today, even if the default hour has passed. */
  today?: boolean;
  durationMinutes?: number;
  allDay?: boolean;
  recurrence?: Recurrence;
  period?: Period;
  reminderMinutes?: number;
}

export interface Moment {
  date: LocalDate;
  time?: ClockTime;
}
