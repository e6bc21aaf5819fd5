/** "search VLA", "find anything about the Berlin trip", "look for notes mentioning kimchi" -> search. */
import { collapse, stripQuotes } from '../lexicon/text.js';

const SEARCH_LEAD =
  /^(?:search(?:\s+(?:for|through|across|in|on))?|find(?:\s+me)?|look\s+(?:for|up)|lookup|dig\s+up|grep|query)\b[\s:]*(?<rest>.*)$/is;
const WHERE_DID_I =
  /^where\s+(?:did|have)\s+i\s+(?:write|put|save|note|mention|jot|store|keep)\w*\s+(?:down\s+)?(?:(?:about|the\s+thing\s+about)\s+)?(?<rest>.+)$/is;
const ANYTHING_ABOUT =
  /^(?:(?:do\s+i\s+have|have\s+i\s+got|is\s+there|are\s+there|got)\s+)?(?:anything|something|stuff|any\s+(?:items|entries|things|stuff))\s+(?:about|regarding|related\s+to|mentioning|concerning|containing|referencing)\s+(?<rest>.+)$/is;
// "any results for kimchi?", "hits on the berlin trip": asking for matches is a search.
const MATCHES_FOR =
  /^(?:(?:are\s+there|do\s+(?:i|we|you)\s+have|have\s+(?:i|we)\s+got|got|show(?:\s+me)?|give\s+me|get\s+me)\s+)?(?:any\s+|some\s+|all\s+(?:the\s+)?)?(?:results?|hits?|matches|mentions?|references?)\s+(?:for|on|about|of|to|mentioning|matching|containing|regarding)\s+(?<rest>.+)$/is;

const LINK = String.raw`(?:about|on|regarding|re|mentioning|containing|concerning|referencing|related\s+to|to\s+do\s+with|with|that\s+(?:mention|contain|say|reference)s?|for|called|titled|named)`;
const COLLECTION = String.raw`(?:stuff|things|data|everything|items?|files?|records?|entries|entry|notes?|memos?|todos?|to-dos?|tasks?|events?|calendar|documents?|messages?|chats?|conversations?|history|e-?mails?|mails?)`;

const QUERY_NOISE: RegExp[] = [
  /^(?:for|me|up)\s+/i,
  /^(?:all\s+)?(?:mentions?|references?)\s+(?:of|to)\s+/i,
  /^(?:what|everything|anything|all)\s+(?:i|we)(?:'ve|\s+have)?\s+(?:wrote|written|said|noted|saved|know|jotted(?:\s+down)?)\s+(?:about|on|regarding)\s+/i,
  new RegExp(String.raw`^(?:(?:all\s+)?(?:my|the|our)\s+)?${COLLECTION}\s+${LINK}\s+`, 'i'),
  new RegExp(
    String.raw`^(?:anything|everything|something|stuff|things|items|entries|all|any\s+\w+)\s+${LINK}\s+`,
    'i',
  ),
  new RegExp(
    String.raw`\s+(?:in|across|among|from|through|within)\s+(?:all\s+)?(?:my|the)\s+${COLLECTION}$`,
    'i',
  ),
  /\s+(?:anywhere|everywhere)$/i,
  /(?<=\S)\s+(?:notes?|memos?|files?|documents?|docs?)$/i,
  /^(?:the|a|an|my|our)\s+/i,
];

// "find my overdue tasks" lists a collection; it is a query, not a text search.
const LISTING =
  /^(?:all\s+)?(?:(?:of\s+)?(?:my|the)\s+)?(?:(?:overdue|pending|open|completed|done|finished|upcoming|recent|latest|new|old|urgent|important|high-priority|low-priority|today'?s|tomorrow'?s|unfinished|remaining|all|next)\s+){0,2}(?:to-?dos?|tasks?|events?|meetings?|appointments?|notes?|memos?|reminders?)(?:\s+(?:(?:due|for|on|from)\s+)?(?:today|tonight|tomorrow|this|next|yesterday|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b.*|\s+that\s+are\s+\w+)?$/iu;

function cleanQuery(raw: string): string {
  let s = collapse(stripQuotes(raw));
  for (let guard = 0; guard < 4; guard += 1) {
    const before = s;
    for (const re of QUERY_NOISE) s = stripQuotes(s.replace(re, '')).trim();
    if (s === before) break;
  }
  return s.replace(/[?.!]+$/, '').trim();
}

/** The search text of a search request; undefined when the message is not one. */
export function readSearch(core: string): string | undefined {
  const where = WHERE_DID_I.exec(core) ?? ANYTHING_ABOUT.exec(core) ?? MATCHES_FOR.exec(core);
  if (where?.groups?.['rest']) return cleanQuery(where.groups['rest']) || undefined;
  const m = SEARCH_LEAD.exec(core);
  const rest = m?.groups?.['rest']?.trim();
  if (!rest) return undefined;
  if (/^out\b/i.test(rest) || LISTING.test(rest)) return undefined;
  return cleanQuery(rest) || undefined;
}
