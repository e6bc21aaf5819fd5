/**
 * When the offline understander cannot tell two intents apart (`ambiguous`, hybrid.ts), the
 * turn asks one short question with both readings as buttons (a `choice` card) instead of
 * guessing; the press (`choose_intent`) runs the picked intent with the params already read.
 */
import {
  choiceCard,
  type ActionParams,
  type IntentOption,
  type StoredCard,
} from '../../modules/chat/cards.js';
import type { TurnIO, TurnOutcome } from '../../modules/chat/turn-handler.js';
import { isIntent, type Classification, type Intent } from '../intents.js';
import { text, withCard, type Handler } from './context.js';

/** What each button says: the action the owner would get, in a few words. */
const LABELS: Record<Intent, string> = {
  general_chat: 'Just chatting',
  create_todo: 'Add a task',
  query_todos: 'Show my tasks',
  update_todo: 'Change a task',
  delete_todo: 'Delete a task',
  complete_todo: 'Mark a task done',
  create_event: 'Add an event',
  query_events: 'Show my calendar',
  update_event: 'Change an event',
  delete_event: 'Delete an event',
  create_memo: 'Save a memo',
  query_memos: 'Show my memos',
  update_memo: 'Change a memo',
  delete_memo: 'Delete a memo',
  search: 'Search',
  delegate_task: 'Hand it to the assistant',
  daily_briefing: "Today's briefing",
};

const kindOf = (intent: Intent): IntentOption['type'] => {
  const noun = intent.split('_')[1];
  return noun === 'todo' || noun === 'event' || noun === 'memo' ? noun : undefined;
};

/** The `choice` turn for an unsure classification, or null when it is sure enough to act. */
export function askWhichIntent(classification: Classification, message: string): TurnOutcome | null {
  const other = classification.alternatives?.[0];
  if (!classification.ambiguous || !other || other.intent === classification.intent) return null;
  const options: IntentOption[] = [classification, other].map(({ intent, params }) => ({
    label: LABELS[intent],
    intent,
    params,
    type: kindOf(intent),
  }));
  const question = `Did you mean "${options[0]!.label}" or "${options[1]!.label}"?`;
  return withCard(question, null, choiceCard(question, message, options));
}

/** Answers a `choose_intent` press: the picked intent's handler runs on the original message. */
export function intentChoice(handlers: Record<Intent, Handler>) {
  return async (io: TurnIO, card: StoredCard, params: ActionParams): Promise<TurnOutcome> => {
    const intent = params.intent;
    if (card.card_type !== 'choice' || !isIntent(intent)) return text('That button no longer works.', null);
    const payload = card.payload as { text?: unknown };
    const message = typeof payload.text === 'string' ? payload.text : '';
    return handlers[intent].run({ io, params: params.pending ?? {}, message, history: [] });
  };
}
