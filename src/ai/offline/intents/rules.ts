/**
 * The rules of the offline understander: `{intent, params}` from patterns and chrono-node alone.
 * Rules run from the most specific to the most general; the first that recognises the message
 * wins. Creating comes last because almost any imperative could be a todo.
 *
 * Each answer says whether a rule recognised the message (`sure`) or the cascade only fell
 * through to a guess (a bare phrase taken for a todo, a sentence taken for chat): the intent
 * model (../hybrid.ts) may overrule a guess more readily than a recognised command.
 */
import type { Classification, UnderstandContext } from '../../intents.js';
import { normalise, stripPoliteness, words } from '../lexicon/text.js';
import { startsWithTodoVerb } from '../lexicon/vocabulary.js';
import { isEventStatement, leadingCue, readCreate } from './create.js';
import { readDelegate } from './delegate.js';
import { readManage } from './manage.js';
import { readMemo } from './memo.js';
import { isBriefing, isSmallTalk, looksLikeChat, queryKind } from './patterns.js';
import { readQuery } from './queries.js';
import { readSearch } from './search.js';

export interface RuleReading extends Classification {
  /** A rule recognised the message; false when the cascade fell through to a guess. */
  sure: boolean;
}

const sure = (c: Classification): RuleReading => ({ ...c, sure: true });
const guess = (c: Classification): RuleReading => ({ ...c, sure: false });
const chat = (): Classification => ({ intent: 'general_chat', params: {} });

// "when is ...", "what did ...": questions never act on an item, they ask about it.
const ASKING =
  /^(?:what|what's|whats|when|when's|where|where's|which|who|why|how|is|are|was|were|do|does|did)\b/i;

// Commands are short. A longer message (a pasted article) is a note, work for the agent, or chat,
// and only its opening is read, so that no rule can take time in proportion to its length.
const LONG_MESSAGE = 1000;
const OPENING = 300;

function understandLong(normal: string): Classification {
  const opening = normal.slice(0, OPENING);
  const rest = normal.slice(OPENING);
  const memo = readMemo(opening);
  if (memo?.content && opening.endsWith(memo.content)) {
    return { intent: 'create_memo', params: { ...memo, content: memo.content + rest } };
  }
  const core = stripPoliteness(opening).text;
  const delegated = readDelegate(core);
  if (delegated)
    return { intent: 'delegate_task', params: { instruction: core + rest, task_type: delegated.task_type } };
  return chat();
}

export function readByRules(text: string, ctx: UnderstandContext): RuleReading {
  const normal = normalise(text);
  if (normal.length > LONG_MESSAGE) return sure(understandLong(normal));
  if (!normal || isSmallTalk(normal)) return sure(chat());
  const { text: core, question } = stripPoliteness(normal);
  if (!core || isSmallTalk(core)) return sure(chat());

  if (isBriefing(core)) return sure({ intent: 'daily_briefing', params: {} });

  const memo = readMemo(core);
  if (memo) return sure({ intent: 'create_memo', params: memo });

  const cue = leadingCue(core);
  if (cue) {
    const created = readCreate(core, ctx, cue);
    if (created) return sure(created);
  }

  if (!ASKING.test(core)) {
    const managed = readManage(core, ctx);
    if (managed) return sure(managed);
  }

  const query = readSearch(core);
  if (query) return sure({ intent: 'search', params: { query } });

  const kind = queryKind(core);
  if (kind) return sure(readQuery(kind, core, ctx));

  const delegated = readDelegate(core);
  if (delegated)
    return sure({ intent: 'delegate_task', params: { instruction: core, task_type: delegated.task_type } });

  if (!isEventStatement(core) && looksLikeChat(core, question)) return guess(chat());

  const created = readCreate(core, ctx);
  // An imperative with a due date ("complete the tax form by friday") is a todo, whatever else it resembles.
  const title = words(created?.params.title ?? '');
  if (created?.intent === 'create_todo' && created.params.due_date && startsWithTodoVerb(title))
    return sure(created);
  return guess(created ?? chat());
}
