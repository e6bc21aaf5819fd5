/**
 * The offline understander: the same `{intent, params}` an LLM classifier returns, from rules and
 * chrono-node alone (no network, no model, nothing read at runtime). Used whenever the LLM is
 * unreachable, so the owner can keep managing todos, events and memos.
 *
 * Rules run from the most specific to the most general; the first that recognises the message
 * wins. Creating comes last because almost any imperative could be a todo.
 */
import type { Classification, UnderstandContext } from '../intents.js';
import { isEventStatement, leadingCue, readCreate } from './intents/create.js';
import { readDelegate } from './intents/delegate.js';
import { readManage } from './intents/manage.js';
import { readMemo } from './intents/memo.js';
import { isBriefing, isSmallTalk, looksLikeChat, queryKind } from './intents/patterns.js';
import { readQuery } from './intents/queries.js';
import { readSearch } from './intents/search.js';
import { normalise, stripPoliteness } from './lexicon/text.js';

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

export function understandOffline(text: string, ctx: UnderstandContext): Classification {
  const normal = normalise(text);
  if (normal.length > LONG_MESSAGE) return understandLong(normal);
  if (!normal || isSmallTalk(normal)) return chat();
  const { text: core, question } = stripPoliteness(normal);
  if (!core || isSmallTalk(core)) return chat();

  if (isBriefing(core)) return { intent: 'daily_briefing', params: {} };

  const memo = readMemo(core);
  if (memo) return { intent: 'create_memo', params: memo };

  const cue = leadingCue(core);
  if (cue) {
    const created = readCreate(core, ctx, cue);
    if (created) return created;
  }

  if (!ASKING.test(core)) {
    const managed = readManage(core, ctx);
    if (managed) return managed;
  }

  const query = readSearch(core);
  if (query) return { intent: 'search', params: { query } };

  const kind = queryKind(core);
  if (kind) return readQuery(kind, core, ctx);

  const delegated = readDelegate(core);
  if (delegated)
    return { intent: 'delegate_task', params: { instruction: core, task_type: delegated.task_type } };

  if (!isEventStatement(core) && looksLikeChat(core, question)) return chat();

  return readCreate(core, ctx) ?? chat();
}
