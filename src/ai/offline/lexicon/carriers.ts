/**
 * Carrier phrases: the words around the thing that only say what to do with it. "put X on my
 * list", "pencil in X", "block out X", "log this thought: X", "fyi X", "jot down X" -- the title
 * or the note is X.
 */

const TODO_CARRIERS: readonly RegExp[] = [
  /^(?:put|add|stick|throw|pop|place|slap|toss|get)\s+(?<x>.+?)\s+(?:on|to|onto|in|into)\s+(?:my|the)\s+(?:[\p{L}-]+\s+)?(?:list|to-?dos?|tasks|queue|backlog|plate|agenda)\b(?<rest>.*)$/iu,
  /^(?:jot|write|note|scribble|take)\s+down\s*:?\s+(?:that\s+i\s+(?:need|have)\s+to\s+|to\s+)?(?<x>.+)$/i,
  /^(?:can\s+you\s+)?(?:make\s+(?:a\s+)?note|note)\s+(?:that\s+)?i\s+(?:need|have|must|should)\s+to\s+(?<x>.+)$/i,
  /^(?:on|for)\s+(?:my|the)\s+(?:[\p{L}-]+\s+)?(?:list|to-?dos?)\s*[:,-]\s*(?<x>.+)$/iu,
  /^(?:task|todo|to-do|reminder)\s+for\s+(?:me|myself)\s*[:,-]?\s*(?<x>.+)$/i,
];

const EVENT_CARRIERS: readonly RegExp[] = [
  /^(?:pencil|slot|squeeze|fit|write|put|book)\s+(?:me\s+)?in\s+(?:for\s+)?(?:a\s+|an\s+)?(?<x>.+)$/i,
  /^(?:pencil|slot|squeeze|fit|write|put)\s+(?<x>.+?)\s+in(?=\s|$)(?<rest>.*)$/i,
  /^(?:block|hold|reserve|set\s+aside|carve\s+out|save)\s+(?:out\s+|off\s+)?(?:some\s+)?(?:time|an?\s+(?:hour|slot|afternoon|morning|evening)|the\s+(?:afternoon|morning|evening|day))?\s*(?:for|to)\s+(?<x>.+)$/i,
  /^(?:block|hold|reserve)\s+(?:out\s+|off\s+)?(?<x>.+)$/i,
  /^(?:book|reserve)\s+(?:me\s+)?(?:a\s+|an\s+)?(?:slot|time|spot)\s+(?:for\s+)?(?<x>.+)$/i,
  /^(?:save\s+the\s+date|mark\s+(?:my|the)\s+calendar)\s*(?:for|:|-|,)?\s*(?<x>.+)$/i,
  /^(?:i'm|i\s+am|we're|we\s+are)\s+(?:booked|scheduled|down)\s+(?:in\s+)?(?:for|to)\s+(?<x>.+)$/i,
  /^(?:i've|i\s+have|we've|we\s+have)\s+(?:got\s+)?(?:booked|scheduled)\s+(?<x>.+)$/i,
];

const MEMO_CARRIERS: readonly RegExp[] = [
  /^(?:fyi|f\.y\.i\.?|for\s+your\s+info(?:rmation)?|just\s+so\s+you\s+know|jsyk|for\s+the\s+record|for\s+future\s+reference|note\s+to\s+self|memo\s+to\s+self|heads\s+up)\b\s*[:,-]?\s*(?:that\s+)?/i,
  /^(?:log|record|save|store|keep|capture|file|stash)\s+(?:this|that|the\s+following)?\s*(?:thought|idea|note|fact|info|detail|tidbit|snippet)?\s*(?:for\s+(?:me|later))?\s*[:,-]\s*/i,
  /^(?:log|record|capture|stash)\s+(?:that\s+)?/i,
  /^(?:jot|write|note|scribble|take)\s+(?:this\s+|it\s+)?down\s*[:,-]?\s*(?:that\s+)?/i,
  /^(?:remember|keep\s+in\s+mind|don't\s+forget)\s+(?:this|that)?\s*[:,-]?\s*(?:that\s+)?/i,
];

const SEARCH_CARRIERS: readonly RegExp[] = [
  /^(?:are\s+there\s+|do\s+(?:i|we|you)\s+have\s+|have\s+(?:i|we)\s+got\s+|got\s+)?(?:any|some)\s+(?:results?|hits?|matches|mentions?|references?|entries|records|items|things|stuff)\s+(?:for|on|about|of|with|mentioning|matching|containing|regarding)\s+/i,
  /^(?:where\s+(?:did|do|have)\s+i\s+\w+\s+(?:about\s+)?|(?:what|anything)\s+(?:do\s+i\s+have|have\s+i\s+got|is\s+there)\s+(?:on|about|regarding|mentioning)\s+)/i,
  /^(?:is\s+there|are\s+there|do\s+i\s+have|have\s+i\s+got)\s+(?:anything|something)\s+(?:on|about|regarding|mentioning|with|for)\s+/i,
  /^(?:pull\s+up|dig\s+up|bring\s+up|show\s+me|fetch|get\s+me)\s+(?:everything|anything|all|whatever)\s+(?:i\s+have\s+)?(?:on|about|regarding|mentioning|with|related\s+to)\s+/i,
];

function strip(text: string, carriers: readonly RegExp[]): string {
  for (const re of carriers) {
    const m = re.exec(text);
    if (!m) continue;
    const x = m.groups?.['x'];
    const out = x === undefined ? text.slice(m[0].length) : `${x}${m.groups?.['rest'] ?? ''}`;
    if (out.trim()) return out.trim();
  }
  return text;
}

export const stripTodoCarrier = (text: string): string => strip(text, TODO_CARRIERS);
export const stripEventCarrier = (text: string): string => strip(text, EVENT_CARRIERS);
export const stripMemoCarrier = (text: string): string => strip(text, MEMO_CARRIERS);
export const stripSearchCarrier = (text: string): string => strip(text, SEARCH_CARRIERS);
