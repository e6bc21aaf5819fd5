/**
 * The date and time phrases we read ourselves, before chrono-node sees the text: the ones it
 * misses (number words, "the 15th", "every monday") or reads differently ("tonight", "at 3").
 */
import { NUMBER_SOURCE } from './numbers.js';

const NUM = NUMBER_SOURCE;
const MINUTE_UNIT = String.raw`minutes?|mins?|m`;
const HOUR_UNIT = String.raw`hours?|hrs?|hr|h`;
const ANY_UNIT = String.raw`${MINUTE_UNIT}|${HOUR_UNIT}|days?|d|weeks?|wks?|w|fortnights?|months?|mos?|years?|yrs?|y`;
const APPROX = String.raw`(?:about\s+|around\s+|roughly\s+|approximately\s+|another\s+|like\s+|just\s+|~\s*)?`;
// "1 hour 30 minutes", "an hour and a half"
const EXTRA = String.raw`(?:\s*(?:and\s+)?(?:(a\s+half)\b|(\d+)\s*(?:${MINUTE_UNIT})\b))?`;

const WEEKDAY_SOURCE = String.raw`monday|mon|tuesday|tues|tue|wednesday|wed|thursday|thurs|thur|thu|friday|fri|saturday|sat|sunday|sun`;
const PLURAL_WEEKDAYS = String.raw`mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays`;
const MONTHS = String.raw`jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec`;

// Clock times said in words: "at seven", "seven thirty pm", "half past six", "quarter to nine".
const HOUR_WORD = String.raw`one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve`;
const MINUTE_WORD = String.raw`oh[\s-](?:one|two|three|four|five|six|seven|eight|nine)|fifteen|thirty|forty[\s-]five|fifty[\s-]five|twenty[\s-]five|thirty[\s-]five|ten|twenty|forty|fifty`;
const CLOCK_LEAD = String.raw`(?:(?:at|by|around|about|before|until|till|from|after)\s+)`;
const MERIDIEM = String.raw`am|pm|a\.m\.?|p\.m\.?|o'?clock`;

export const RE = {
  // "half past seven", "quarter to 9", "a quarter past two pm"
  pastTo: new RegExp(
    String.raw`\b${CLOCK_LEAD}?(?:(half|(?:a\s+)?quarter)\s+past|((?:a\s+)?quarter)\s+(?:to|till|of))\s+(${HOUR_WORD}|1[0-2]|0?[1-9])\b(?:\s*(${MERIDIEM})(?!\w))?`,
    'gi',
  ),
  // "seven pm", "at seven thirty", "at eleven tomorrow": a number word is a time only with a
  // meridiem, or after "at"/"by" with nothing but a date or the end of the clause after it.
  wordClock: new RegExp(
    String.raw`\b(?:${CLOCK_LEAD}?(${HOUR_WORD})(?:[\s-](${MINUTE_WORD}))?\s*(${MERIDIEM})(?!\w)|(?:at|by|around|before|until|till)\s+(${HOUR_WORD})(?:[\s-](${MINUTE_WORD}))?\b(?=\s*(?:$|[,.!?;]|(?:tonight|today|tomorrow|in\s+the|this|next|on|for|with|sharp|and|then|or|to|every)\b)))`,
    'gi',
  ),
  reminder: new RegExp(
    String.raw`[,;]?\s*\b(?:with\s+an?\s+|and\s+)?(?:remind(?:er)?(?:\s+me)?|alert(?:\s+me)?|notify(?:\s+me)?|ping\s+me)\s+(${NUM})\s*(${ANY_UNIT})\s+(?:before|prior|ahead|earlier)(?:\s+(?:it\s+starts|hand|the\s+start))?\b`,
    'gi',
  ),
  // "the 1st of every month", "on the 15th of each month"
  monthlyDay:
    /\b(?:(?:on|by)\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\s+(?:day\s+)?of\s+(?:every|each)\s+month\b/gi,
  inRelative: new RegExp(
    String.raw`\b(?:in|within|after)\s+${APPROX}(${NUM})\s*-?\s*(${ANY_UNIT})\b${EXTRA}(?:\s+from\s+now)?`,
    'gi',
  ),
  // chrono reads this one with the process's own zone, not the reference's.
  dayAfter: /\b(?:on\s+)?(?:the\s+)?day\s+(after\s+tomorrow|before\s+yesterday)\b/gi,
  fromNow: new RegExp(
    String.raw`\b(${NUM})\s*(${ANY_UNIT})${EXTRA}\s+(?:from\s+(?:now|today)|later|hence)\b`,
    'gi',
  ),
  forDuration: new RegExp(
    String.raw`\b(?:for|lasting|lasts|takes)\s+${APPROX}(${NUM})\s*-?\s*(${MINUTE_UNIT}|${HOUR_UNIT})\b${EXTRA}`,
    'gi',
  ),
  // "a 45 minute call", "30-min sync", "an hour-long meeting"
  adjectiveDuration: new RegExp(
    String.raw`\b(?:an?\s+)?(?:(${NUM})[\s-]*(minute|min|hour|hr)s?(?:[\s-]+long)?|(hour)[\s-]+long)(?=\s+[\p{L}\d])`,
    'giu',
  ),
  allDay: /\b(?:for\s+|lasting\s+)?(?:the\s+)?(?:all|whole|full|entire)[\s-]+day(?:[\s-]+long)?\b/gi,
  every: new RegExp(
    String.raw`\b(?:every|each)\s+(?:(other|second)\s+|(${NUM})\s+)?(day|weekday|work\s*day|business\s+day|weekend|week|fortnight|month|year|morning|afternoon|evening|night|(?:${WEEKDAY_SOURCE})(?:\s*(?:,|and|&|/|or)\s*(?:${WEEKDAY_SOURCE}))*)s?\b`,
    'gi',
  ),
  everyWord: /\b(daily|nightly|weekly|bi-?weekly|fortnightly|monthly|yearly|annually)\b/gi,
  pluralWeekdays: new RegExp(
    String.raw`\b(?:on\s+)?((?:${PLURAL_WEEKDAYS})(?:\s*(?:,|and|&|/)\s*(?:${PLURAL_WEEKDAYS}))*)\b`,
    'gi',
  ),
  period:
    /\b(?:(?:during|for|in|on|over|by|before|until|within)\s+)?(?:the\s+)?(this|next|last|coming|following|past|previous)\s+(week|weekend|month|year)\b/gi,
  endOf:
    /\b(?:(?:by|before|until|at|for|due)\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(next\s+)?(week|month|year)\b/gi,
  theWeek: /\b(?:for|during|over|in)\s+the\s+(week|weekend|month)\b/gi,
  restOf: /\b(?:for\s+|during\s+|in\s+)?(?:the\s+)?rest\s+of\s+(?:the|this)\s+(week|month)\b/gi,
  nextN: new RegExp(
    String.raw`\b(?:in\s+|over\s+|for\s+|during\s+|within\s+)?(?:the\s+)?(?:next|coming|upcoming)\s+(${NUM})\s+(days|weeks)\b`,
    'gi',
  ),
  weekend: /\b(?:(?:on|over|during|for|this)\s+)?(?:the\s+)?weekend\b/gi,
  dayOfMonth: new RegExp(
    String.raw`\b(?:(?:on|by|before|until|due)\s+(?:the\s+)?|the\s+)(\d{1,2})(?:st|nd|rd|th)\b(?:\s+of\s+(?:the\s+|this\s+)?(next\s+)?month)?(?!\s+(?:of\s+)?(?:${MONTHS}))`,
    'gi',
  ),
  partOfDay:
    /\b(this|in\s+the|at|by|around|before|until|during\s+the|early\s+in\s+the|late\s+in\s+the|later\s+this)\s+(morning|afternoon|evening|night)\b/gi,
  partOfDayAfterDate:
    /(?<=\b(?:today|tomorrow|yesterday|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\s+)(morning|afternoon|evening|night)\b/gi,
  firstThing: /\bfirst\s+thing(?:\s+in\s+the\s+morning)?\b/gi,
  tonight: /\b(?:(?:by|at|for|until|later)\s+)?tonight\b/gi,
  clockWord:
    /\b(?:(?:at|by|around|before|until|till|about)\s+)?(noon|midday|midnight|lunchtime|lunch\s+time)\b|\b(?:at|by|around|before|after)\s+lunch\b/gi,
  // Only after a preposition: "buy christmas gifts" keeps its title, "gifts for christmas" has a date.
  holiday:
    /\b(?:on|by|for|until|till|before|at|over|after)\s+(?:the\s+)?(christmas\s+eve|christmas(?:\s+day)?|xmas\s+eve|xmas|new\s+year'?s\s+eve|new\s+year'?s(?:\s+day)?|valentine'?s(?:\s+day)?|halloween)\b/gi,
  // "before 6", "by 5:30": chrono only reads a bare hour after "at".
  bareHour:
    /\b(?:by|before|until|till|around|no\s+later\s+than)\s+(\d{1,2})(?::([0-5]\d))?(?![\d:./-]|\s*(?:am|pm|a\.m|p\.m|%|st|nd|rd|th|days?|weeks?|months?|years?|hours?|hrs?|minutes?|mins?|people|persons?|guests?|of|x|items?|pages?|copies)\b)/gi,
  endOfDay:
    /\b(?:(?:by|before|until|at)\s+)?(?:the\s+)?(?:end\s+of\s+(?:the\s+)?(?:work\s*)?day|eod|cob|close\s+of\s+business)\b/gi,
  // Never dates, but chrono might read them as times: "1:1 with Yuna", "10.0.0.12".
  protect: /\b1:1s?\b|\bone[\s-]on[\s-]one\b|\b\d+(?:\.\d+){2,}\b|\b\d+[/-]\d+[/-]\d{3,}\b(?!\s*(?:am|pm))/gi,
};

/** A cheap keyword test per pattern: most patterns cannot match most messages. */
export const HINTS = new Map<RegExp, RegExp>([
  [RE.pastTo, /past|quarter/i],
  [RE.monthlyDay, /(?:every|each)\s+month/i],
  [RE.wordClock, /one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve/i],
  [RE.reminder, /remind|alert|notify|ping/i],
  [RE.dayAfter, /day\s+(?:after|before)/i],
  [RE.inRelative, /\b(?:in|within|after)\s/i],
  [RE.fromNow, /from\s+(?:now|today)|later|hence/i],
  [RE.forDuration, /\b(?:for|lasting|lasts|takes)\s/i],
  [RE.adjectiveDuration, /min|hour|\bhr/i],
  [RE.allDay, /day/i],
  [RE.every, /\b(?:every|each)\s/i],
  [RE.everyWord, /ly\b/i],
  [RE.pluralWeekdays, /days\b/i],
  [RE.period, /week|month|year/i],
  [RE.endOf, /end\s+of/i],
  [RE.theWeek, /the\s+(?:week|month)/i],
  [RE.restOf, /rest\s+of/i],
  [RE.nextN, /next|coming/i],
  [RE.weekend, /weekend/i],
  [RE.dayOfMonth, /\d(?:st|nd|rd|th)\b/i],
  [RE.tonight, /tonight/i],
  [RE.firstThing, /first\s+thing/i],
  [RE.partOfDay, /morning|afternoon|evening|night/i],
  [RE.partOfDayAfterDate, /morning|afternoon|evening|night/i],
  [RE.clockWord, /noon|midday|midnight|lunch/i],
  [RE.bareHour, /\d/],
  [RE.holiday, /christmas|xmas|new\s+year|valentine|halloween/i],
  [RE.endOfDay, /eod|cob|end\s+of|close\s+of/i],
]);
