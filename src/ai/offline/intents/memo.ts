/** "note: ...", "remember that ...", "save a note about the recipe: ..." -> create_memo. */
import type { IntentParams } from '../../intents.js';
import { stripQuotes } from '../lexicon/text.js';

const ABOUT = String.raw`(?:\s+(?:about|on|for|regarding|re|titled|called)\s+(?<title>[^:\n]+?))?`;
const NOTE = String.raw`(?:quick\s+|new\s+|short\s+)?(?:note|memo)`;

// Each rule captures `content`, and `title` when the user named one.
const MEMO_RULES: RegExp[] = [
  new RegExp(
    String.raw`^(?:new\s+)?(?:note|notes|memo)(?:\s+to\s+(?:self|myself))?\s*(?::|-|\u2013|\u2014)\s*(?<content>.+)$`,
    'is',
  ),
  /^(?<content>.+?)[\s,;.-]+(?:save|note|remember|store|keep|jot\s+down|write\s+down)\s+(?:that|this|it)(?:\s+(?:down|for\s+me|somewhere))?$/is,
  new RegExp(
    String.raw`^(?:make|take|save|add|create|write|keep|jot|leave|store)\s+(?:down\s+)?(?:a|an|this|the|me\s+a)?\s*${NOTE}${ABOUT}\s*(?::|-|\u2013|\u2014|,|\s+that\b|\s+saying\b|\s+of\b|\s+with\b)\s*(?<content>.+)$`,
    'is',
  ),
  new RegExp(
    String.raw`^(?:make|take|save|add|create|write|keep)\s+(?:a|an)?\s*${NOTE}\s+(?<content>.+)$`,
    'is',
  ),
  /^(?:please\s+)?note\s+(?:that|down|this)\s*:?\s*(?<content>.+)$/is,
  /^(?:jot|write|put)\s+(?:this\s+|it\s+)?down\s*(?:that\b|:|-|,)?\s*(?<content>.+)$/is,
  /^(?:(?:i\s+(?:want|need|would\s+like)\s+(?:you\s+)?to\s+|help\s+me\s+)?(?:remember|memori[sz]e)|keep\s+in\s+mind|don'?t\s+forget|do\s+not\s+forget|fyi|for\s+the\s+record|for\s+future\s+reference)\s*(?:that\b|:|-|,)\s*(?<content>.+)$/is,
  /^(?:remember|memori[sz]e)\s+(?<content>(?:my|the|our|his|her|their|[A-Z][\p{L}'-]+)\b.+\b(?:is|are|was|were|has|have|lives|likes|prefers|uses)\b.+)$/isu,
  /^(?:save|store|record|log)\s+(?:this|that)\s*(?::|-|,)\s*(?<content>.+)$/is,
  // "store this in my notes: ...", "add to my notes - ...", "put in notes: ..."
  /^(?:save|store|put|add|keep|write|jot|stick|log|record|file)\s+(?:this|that|it|the\s+following)?\s*(?:down\s+)?(?:in|to|into|on|under|with)\s+(?:my\s+|the\s+)?notes?\s*(?::|-|,|\u2013|\u2014)\s*(?<content>.+)$/is,
  /^(?:save|store|put|add|keep|write|jot)\s+(?<content>.+?)\s+(?:down\s+)?(?:in|to|into)\s+(?:my|the)\s+notes$/is,
  /^(?:(?:just\s+)?had\s+an?\s+)?(?:(?:random|quick|new|stray|late[\s-]night|shower)\s+)?(?:ideas?|thoughts?|journal(?:\s+entry)?|diary|log|reminder\s+to\s+self)\s*(?::|\s-+|\u2013|\u2014)\s*(?<content>.+)$/is,
  // "fyi the gate code is 4412", "log this thought: ...": words that only hand over a fact.
  /^(?:fyi|f\.y\.i\.?|jsyk|(?:(?:just\s+)?so\s+)?you\s+know(?=\s*[,:;-])|for\s+your\s+info(?:rmation)?|for\s+the\s+record|note\s+to\s+self|memo\s+to\s+self)\b[\s,:;-]*(?:that\s+)?(?<content>.+)$/is,
  /^(?:log|record|capture|stash|save|store|keep)\s+(?:this|that|the\s+following)?\s*(?:thought|idea|fact|info|detail|tidbit|snippet|observation|insight)\s*(?:for\s+(?:me|later))?\s*(?::|-|,|\u2013|\u2014)\s*(?<content>.+)$/is,
];

/** The memo a message asks to save, or undefined when it is not a note. */
export function readMemo(core: string): IntentParams | undefined {
  for (const rule of MEMO_RULES) {
    const m = rule.exec(core);
    const content = m?.groups?.['content']?.trim();
    if (!m || !content) continue;
    const params: IntentParams = { content: stripQuotes(content) };
    const title = m.groups?.['title']?.trim().replace(/^(?:the|a|an|my)\s+/i, '');
    if (title) params.title = stripQuotes(title);
    return params;
  }
  return undefined;
}
