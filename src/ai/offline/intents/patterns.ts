import { words } from '../lexicon/text.js';
import { looksLikeEventTitle } from '../lexicon/vocabulary.js';

/** Whole-message patterns: small talk, the daily briefing, chat questions, and which list a query is about. */

const SMALL_TALK =
  /^(?:hi|hello|hey|hiya|howdy|yo|sup|what'?s\s+up|good\s+(?:morning|afternoon|evening|night|day)|gm|gn|thanks?(?:\s+(?:a\s+lot|so\s+much|again|you|man|buddy))?|thank\s+you(?:\s+(?:so\s+much|very\s+much|again))?|ty|cheers|ok(?:ay)?|k|kk|cool|nice|great|awesome|perfect|sounds\s+good|got\s+it|lol|lmao|haha+|hmm+|bye|goodbye|good\s*bye|see\s+you(?:\s+later)?|see\s+ya|cya|later|yes|no|yep|yeah|nope|nah|sure|of\s+course|never\s*mind|nvm|wow|oops|sorry|you\s+there|are\s+you\s+there|help)(?:\s+(?:there|claw(?:chat)?|buddy|friend|mate|man))?[\s!.?,:)]*$/i;

export function isSmallTalk(text: string): boolean {
  return SMALL_TALK.test(text.trim());
}

const BRIEFING: RegExp[] = [
  /^(?:(?:give|send|show|read|get)\s+me\s+)?(?:my\s+|the\s+|a\s+|today'?s\s+|this\s+morning'?s\s+)?(?:daily\s+|morning\s+|evening\s+|day'?s\s+)?(?:briefing|brief|digest|rundown|run-down)(?:\s+(?:for|of)\s+(?:today|the\s+day|my\s+day))?$/i,
  /^(?:(?:give|send|show|read|get)\s+me\s+)?(?:my\s+|the\s+|a\s+)?(?:today'?s|daily|morning)\s+(?:overview|summary|recap|update|report|digest)$/i,
  /^brief\s+me(?:\s+(?:on|for|about)\s+(?:today|my\s+day|the\s+day))?$/i,
  /\b(?:what(?:'s|\s+is|\s+does|\s+will)|how(?:'s|\s+is|\s+does|\s+will))\s+(?:my|the)\s+day\s+(?:(?:look(?:ing)?|shaping\s+up|going\s+to\s+look)(?:\s+like)?|like)\b/i,
  /^(?:what(?:'s|\s+is|\s+does)|how(?:'s|\s+is|\s+does))\s+today\s+look(?:ing)?(?:\s+like)?/i,
  /\b(?:rundown|run-down|overview|summary|recap|briefing|brief)\s+(?:of|for|on)\s+(?:today|my\s+day|the\s+day)\b/i,
  /\b(?:morning|daily)\s+(?:briefing|brief|report|update|summary|digest|rundown)\b/i,
  /^(?:catch\s+me\s+up|start\s+my\s+day|what'?s\s+the\s+plan\s+(?:for\s+)?today|plan\s+for\s+today)\b/i,
  /^(?:summari[sz]e|recap)\s+(?:my\s+day|today)$/i,
];

export function isBriefing(core: string): boolean {
  return BRIEFING.some((re) => re.test(core));
}

const QUESTION_LEAD =
  /^(?:what|what's|whats|who|who's|whom|whose|why|how|how's|where|where's|when|when's|which|is|are|was|were|can|could|would|should|will|do|does|did|have|has|am|may|might|shall|isn't|aren't|don't|doesn't)\b/i;
const CHAT_REQUEST =
  /^(?:tell\s+me|explain|describe|define|translate|calculate|compute|convert|recommend|suggest|teach|help|give\s+me\s+(?:a|an|some)\s+(?:idea|ideas|tip|tips|example|examples|joke|quote|fact|facts|recipe|word|synonym|name|names|suggestion|suggestions|advice|recommendation|recommendations|fun\s+fact)|write\s+(?:me\s+)?(?:a|an)\s+(?:poem|haiku|story|song|joke|limerick|rap|riddle|sonnet)|sing|say|guess|imagine|let's|lets|talk|chat|joke|entertain|motivate|cheer\s+me\s+up|thoughts\s+on|opinion|roast|pretend|play\s+a\s+game)\b/i;
const STATEMENT =
  /^(?:i'?m|i\s+am|i\s+feel|i\s+think|i\s+love|i\s+hate|i\s+like|i\s+was|i\s+just|my\s+day|that's|that\s+is|that\s+was|you're|you\s+are|it's|it\s+is|this\s+is|lol|haha|wow|ugh|omg|yes|no|ok|okay)\b/i;

/** Questions, requests for an answer, and remarks: things only a conversation can answer. */
export function looksLikeChat(core: string, question: boolean): boolean {
  return question || QUESTION_LEAD.test(core) || CHAT_REQUEST.test(core) || STATEMENT.test(core);
}

export type ItemKind = 'todo' | 'event' | 'memo';

const MEMO_WORDS =
  /\b(?:notes?|memos?|jotted|wrote\s+down|noted|note\s+down)\b|\bdid\s+i\s+(?:write|save|jot|record|store)\b/i;
const TODO_STRONG =
  /\b(?:(?:my|the)\s+list|to-?dos?|to\s+dos|to-?do\s+list|tasks?|reminders?|plate|chores|errands|assignments|deadlines|checklist)\b/i;
const EVENT_WORDS =
  /\b(?:calendar|schedule[ds]?|events?|meetings?|appointments?|agenda|calls?|plans|planned|busy|free|booked|flights?|interviews?|classes|sessions?|happening|going\s+on|coming\s+up|my\s+(?:week|weekend|month))\b/i;
const TODO_WEAK =
  /\b(?:overdue|due|urgent|important|high[\s-]priority|did\s+i\s+(?:finish|complete|do|get\s+done)|(?:need|have|got)\s+to\s+(?:do|get\s+done|finish)|should\s+i\s+(?:do|work\s+on)|left\s+to\s+do|to\s+do|get\s+done|outstanding|pending|unfinished|incomplete|completed|finished|what'?s\s+left|what'?s\s+next)\b/i;

const QUERY_LEAD =
  /^(?:(?:have\s+)?(?:i\s+|you\s+)?got\s+(?:any|anything)\b|have\s+i\s+got\b|show|list|display|view|see|open|check|read|get|give\s+me|tell\s+me|pull\s+up|bring\s+up|find|search|look\s+up|look\s+for|what|what's|whats|which|how\s+many|how\s+much|how\s+(?:busy|free|packed|full)|how(?:'s|\s+is|\s+does)\s+(?:my|the)\s+(?:week|weekend|schedule|calendar)|any|anything|do\s+i|did\s+i|have\s+i|am\s+i|are\s+there|is\s+there|are\s+any|is\s+anything|is\s+(?:my|the)|are\s+(?:my|the)|when|when's|where|where's|my|all|(?:today'?s|tomorrow'?s|this\s+week'?s|upcoming|pending|open|overdue|urgent|important|completed|recent|latest|remaining)\s+(?:\S+\s+)?(?:to-?dos|tasks|reminders|events|meetings|appointments|notes|memos)\b|(?:to-?dos|tasks|reminders|calendar|schedule|agenda|events|meetings|appointments|notes|memos)(?:\s+(?:for|on|this|next|today|tomorrow)\b|$))/i;
const TIME_WORDS =
  /\b(?:today|tonight|tomorrow|yesterday|this\s+(?:week|weekend|month|morning|afternoon|evening)|next\s+(?:week|month)|(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*|the\s+\d{1,2}(?:st|nd|rd|th)|\d{1,2}\/\d{1,2})\b/i;
// "what is a meeting agenda", "what's the best note app": about the world, not the owner's lists.
const GENERAL_QUESTION =
  /^(?:(?:what|who|how|which)\s+(?:is|are|was|were)|what's|whats|who's|how's)\s+(?:a|an|the\s+(?:best|difference|point|purpose|meaning|history|origin))\b|^(?:what|which)(?:'s|\s+is|\s+are)\s+(?:the\s+)?(?:best|good|top)\b|\bshould\s+(?:a|an|the|you|one)\b|\bin\s+general\b|\bgood\s+(?:apps?|tools?|ways?)\b|\bshould\s+i\s+(?:eat|have|cook|make|wear|read|watch|buy|say|get)\b/i;

// "what do I have ...", "anything on ...": a day alone then means the calendar.
const ABOUT_MY_DAYS =
  /^(?:what(?:'s|\s+is)\s+(?:on|happening|going\s+on|planned|up)\b|what\s+(?:do|did|will)\s+i\s+have\b|what\s+have\s+i\s+got\b|what\s+am\s+i\s+(?:doing|up\s+to)\b|what\s+are\s+my\s+plans\b|what(?:'s|\s+is)\s+coming\s+up\b|(?:show|list|give|tell)\s+(?:me\s+)?(?:everything|all|what(?:'s|\s+is)\s+on|what\s+i\s+have)\b|anything\b|any\s+plans\b|(?:have\s+)?(?:i\s+)?got\s+(?:anything|any\s+plans)\b|(?:do|did|will)\s+i\s+have\s+(?:anything|plans|something|stuff|much)\b|what\s+(?:do\s+)?i\s+got\b|am\s+i\s+doing\s+anything\b|is\s+there\s+anything\b)/i;

/** Which of the owner's lists a question or listing request is about, if it is one. */
export function queryKind(core: string): ItemKind | undefined {
  if (!QUERY_LEAD.test(core) || GENERAL_QUESTION.test(core)) return undefined;
  if (MEMO_WORDS.test(core)) return 'memo';
  if (TODO_STRONG.test(core)) return 'todo';
  if (EVENT_WORDS.test(core)) return 'event';
  if (TODO_WEAK.test(core)) return 'todo';
  // "where is the offsite?", "when's the dentist?": asking after an event by name.
  const asked = /^(?:when|where|what\s+time)(?:'s|\s+is|\s+are|\s+was)\s+(?:my|the|our)\s+(.+)$/i.exec(core);
  if (asked && looksLikeEventTitle(words(asked[1] ?? ''), asked[1])) return 'event';
  // "what do I have tomorrow", "anything on friday?": days are about the calendar.
  if (TIME_WORDS.test(core) && ABOUT_MY_DAYS.test(core)) return 'event';
  return undefined;
}
