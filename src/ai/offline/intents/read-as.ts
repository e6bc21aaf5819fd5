/**
 * Reading a message as an intent the model chose: the parameters come from the same rules, run
 * on the message with the words that only carry the request taken off ("pencil in ...",
 * "fyi ...", "I've taken care of ..."). Undefined when the rules find nothing to act on, and
 * the caller keeps the rules' own answer.
 */
import type { Classification, Intent, UnderstandContext } from '../../intents.js';
import { tidy } from '../lexicon/cleanup.js';
import {
  stripEventCarrier,
  stripMemoCarrier,
  stripSearchCarrier,
  stripTodoCarrier,
} from '../lexicon/carriers.js';
import { normalise, stripPoliteness, stripQuotes } from '../lexicon/text.js';
import { readComplete, readDoneStatement } from './complete.js';
import { readCreate } from './create.js';
import { readDelegate } from './delegate.js';
import { readDelete } from './delete.js';
import { readMemo } from './memo.js';
import { readQuery } from './queries.js';
import { readSearch } from './search.js';
import { readStatusOrPriority, readUpdate } from './update.js';
import { readBroadUpdate } from './update-broad.js';
import { cleanTarget, named } from './targets.js';

const KIND = { todo: 'todo', event: 'event', memo: 'memo' } as const;
type Kind = keyof typeof KIND;

function kindOf(intent: Intent): Kind | undefined {
  const k = intent.split('_')[1]?.replace(/s$/, '');
  return k === 'todo' || k === 'event' || k === 'memo' ? k : undefined;
}

/** delete_todo for delete_event: the same action read by the rules, on the kind the model saw. */
function sameAction(intent: Intent, reading: Classification | undefined): Classification | undefined {
  if (!reading) return undefined;
  const action = intent.split('_')[0];
  return reading.intent.split('_')[0] === action ? { intent, params: reading.params } : undefined;
}

// "make the retro start at 4:30pm", "have the sync begin at 10": a move, said another way.
const asMove = (core: string): string =>
  core.replace(/^(?:make|have|let)\s+(.+?)\s+(?:start|begin|be|happen)\s+(?:at|on|from)\s+/i, 'move $1 to ');

/**
 * "the dishwasher repair todo", "the vet task", "the wifi note": when a change or a deletion
 * names exactly one kind of item, that kind wins over the model's guess of it.
 */
function namedKind(intent: Intent, core: string): Intent {
  const [action, kind] = intent.split('_');
  if ((action !== 'update' && action !== 'delete') || !kind) return intent;
  const kinds = [
    /\b(?:to-?dos?|tasks?|reminders?)\b/i.test(core) ? 'todo' : undefined,
    /\b(?:notes?|memos?)\b/i.test(core) ? 'memo' : undefined,
    /\b(?:events?|meetings?|appointments?|calendar)\b/i.test(core) ? 'event' : undefined,
  ].filter(Boolean);
  return kinds.length === 1 ? (`${action}_${kinds[0]}` as Intent) : intent;
}

// "tick the dishes", "I finished it: deploy the hotfix", "that's the groceries sorted": the
// words around the item that only say it is done.
const DONE_LEAD =
  /^(?:(?:i\s+)?(?:finished|did|completed|done\s+with)\s+(?:it|that|this)?\s*[:,-]\s*|(?:tick|check|cross)(?:\s+off)?\s+|mark\s+(?:as\s+)?(?:done|complete|completed|finished)\s+(?:the\s+(?:task|todo)\s+)?|that'?s\s+)/i;
const DONE_TRAIL = /\s+(?:sorted|done|finished|complete|completed|ticked\s+off|crossed\s+off|off)$/i;

function readDoneBroadly(core: string): Classification | undefined {
  const stripped = core.replace(/[.!]+$/, '').replace(DONE_LEAD, '');
  if (stripped === core.replace(/[.!]+$/, '')) return undefined;
  const target = cleanTarget(stripped.replace(DONE_TRAIL, ''));
  return named(target) ? { intent: 'complete_todo', params: { target } } : undefined;
}

export function readAs(
  intent: Intent,
  text: string,
  ctx: UnderstandContext,
  rules: Classification,
): Classification | undefined {
  if (intent === rules.intent) return rules;
  const core = stripPoliteness(normalise(text)).text;
  intent = namedKind(intent, core);
  if (intent === rules.intent) return rules;
  switch (intent) {
    case 'general_chat':
    case 'daily_briefing':
      return { intent, params: {} };
    case 'create_todo': {
      const read = readCreate(stripTodoCarrier(core), ctx, 'todo');
      return read?.params.title ? read : undefined;
    }
    case 'create_event': {
      const read = readCreate(stripEventCarrier(core), ctx, 'event');
      return read?.params.title ? read : undefined;
    }
    case 'create_memo': {
      const memo = readMemo(core) ?? readMemo(stripMemoCarrier(core));
      const content = memo?.content ?? stripQuotes(stripMemoCarrier(core));
      return content ? { intent, params: { ...memo, content } } : undefined;
    }
    case 'search': {
      const query = readSearch(core) ?? tidy(stripSearchCarrier(core)).replace(/[?.!]+$/, '');
      return query ? { intent, params: { query } } : undefined;
    }
    case 'query_todos':
    case 'query_events':
    case 'query_memos':
      return readQuery(KIND[kindOf(intent)!], core, ctx);
    case 'complete_todo':
      return (
        readComplete(core) ?? sameAction(intent, rules) ?? readDoneStatement(core) ?? readDoneBroadly(core)
      );
    case 'delete_todo':
    case 'delete_event':
    case 'delete_memo':
      return sameAction(intent, readDelete(core) ?? rules);
    case 'update_todo':
    case 'update_event':
    case 'update_memo':
      return (
        sameAction(
          intent,
          readStatusOrPriority(core) ?? readUpdate(core, ctx) ?? readUpdate(asMove(core), ctx) ?? rules,
        ) ?? readBroadUpdate(intent, core, ctx)
      );
    case 'delegate_task':
      return { intent, params: { instruction: core, task_type: readDelegate(core)?.task_type ?? 'custom' } };
  }
}
