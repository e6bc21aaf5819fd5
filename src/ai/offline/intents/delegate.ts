/** Work for the background agent: "research ...", "summarize ...", "draft a blog post ...". */
import type { IntentParams } from '../../intents.js';

type TaskType = NonNullable<IntentParams['task_type']>;

const DOCUMENT = String.raw`(?:report|summary|draft|blog(?:\s+post)?|post|article|essay|e-?mail|letter|proposal|outline|brief|document|doc|plan|itinerary|overview|comparison|analysis|newsletter|script|speech|cover\s+letter|bio|description|press\s+release|announcement|tweet|thread|reply|response|message|pitch|presentation|deck|spec|memo|review|abstract|paragraph|intro(?:duction)?|toast|agenda|resume|cv|checklist|guide|faq|readme|write-?up|list\s+of|packing\s+list|reading\s+list|shortlist)`;

const RULES: Array<{ re: RegExp; type: TaskType; weak?: boolean }> = [
  {
    re: /^(?:(?:do|run|conduct)\s+(?:some\s+|a\s+little\s+|a\s+bit\s+of\s+|quick\s+|deep\s+|more\s+)*research\s+(?:on|into|about|for)|research|investigate|look\s+into|dig\s+into|deep[\s-]?dive\s+(?:into|on)|find\s+out|compare|analy[sz]e|evaluate|benchmark|gather\s+(?:info(?:rmation)?|data|details|sources|facts)|compile)\b/i,
    type: 'research',
  },
  {
    re: /^(?:summari[sz]e|sum\s+up|tl;?dr|give\s+me\s+(?:a\s+)?(?:summary|tl;?dr|recap|digest)\s+of|make\s+(?:a\s+)?summary\s+of|write\s+(?:me\s+)?(?:a\s+)?summary\s+of)\b/i,
    type: 'summarize',
  },
  { re: /^draft\b/i, type: 'draft' },
  {
    re: new RegExp(
      String.raw`^(?:compose|write(?:\s+up)?|put\s+together|prepare|create|produce|generate|make|plan|plan\s+out)\s+(?:me\s+)?(?:up\s+)?(?:a|an|the|some|my|our)?\s*(?:[\p{L}\d'-]+\s+){0,3}?${DOCUMENT}\b`,
      'iu',
    ),
    type: 'draft',
    weak: true,
  },
  { re: /^(?:brainstorm|come\s+up\s+with|plan\s+out)\b/i, type: 'custom' },
  {
    re: /^(?:delegate|agent|background(?:\s+task)?|(?:have|ask|get)\s+(?:the\s+)?agent\s+to)\s*:?\s*/i,
    type: 'custom',
  },
];

// "write the report by friday" is the user's own work with a deadline: a todo, not an agent job.
const DEADLINE =
  /\b(?:today|tonight|tomorrow|due|deadline|(?:by|before|until|on)\s+(?:the\s+)?(?:next\s+|this\s+)?(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|end|\d|week|month|noon|tonight|tomorrow)|next\s+week|this\s+week)\b/i;

/** A delegated task, or undefined when the message is not asking the agent to do work. */
export function readDelegate(core: string): { task_type: TaskType } | undefined {
  for (const rule of RULES) {
    if (!rule.re.test(core)) continue;
    if (rule.weak && DEADLINE.test(core)) return undefined;
    if (rule.type === 'custom') {
      // "agent: research X" still tells us the kind of work.
      const inner = core.replace(rule.re, '');
      const innerType = inner !== core ? readDelegate(inner)?.task_type : undefined;
      return { task_type: innerType ?? 'custom' };
    }
    return { task_type: rule.type };
  }
  return undefined;
}
