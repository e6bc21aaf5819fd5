/**
 * The orchestrator (BEHAVIOUR.md "Orchestration"): a classified message becomes calls to the
 * same services the REST API uses (same validation, same events, held by the turn), a short
 * confirmation and, for actions, a card. Free-form chat streams the LLM's answer.
 *
 * A turn: read the history -> a pending "when?" answered? -> classify -> unsure between two
 * intents? ask with a `choice` card (choice.ts) -> HANDLERS[intent].
 * Adding an intent: its name in intents.ts, a handler file here, and one line in the table.
 * Card buttons (`action_response`) are answered in actions.ts.
 */
import type { TurnHandler } from '../../modules/chat/turn-handler.js';
import type { Intent } from '../intents.js';
import type { ClassifyResult } from '../types.js';
import { cardActions } from './actions.js';
import { briefingHandler } from './briefing.js';
import { askWhichIntent } from './choice.js';
import { CHAT_HISTORY, chatReply } from './chat-reply.js';
import { asChat, createContext, text, type Handler, type OrchestratorDeps, type Turn } from './context.js';
import { delegateHandler } from './delegate.js';
import { eventHandlers } from './events.js';
import { anyGateways, createGateways } from './items.js';
import { memoHandlers } from './memos.js';
import { searchHandler } from './search.js';
import { todoHandlers } from './todos.js';

export type { AgentTasksPort, BriefingPort, FollowUpTimeReader, OrchestratorDeps } from './context.js';

/** Recent turns the classifier sees, so "move it to Friday" resolves. */
const CLASSIFY_HISTORY = 6;

export function createOrchestrator(deps: OrchestratorDeps): TurnHandler {
  const ctx = createContext(deps);
  const items = createGateways(ctx);
  const anyItems = anyGateways(items);
  const todos = todoHandlers(ctx, items, anyItems);
  const events = eventHandlers(ctx, items, anyItems);
  const memos = memoHandlers(ctx, items, anyItems);
  const chat = chatReply(ctx);

  const HANDLERS: Record<Intent, Handler> = {
    general_chat: chat.general_chat,
    create_todo: todos.create_todo,
    query_todos: todos.query_todos,
    update_todo: todos.update_todo,
    delete_todo: todos.delete_todo,
    complete_todo: todos.complete_todo,
    create_event: events.create_event,
    query_events: events.query_events,
    update_event: events.update_event,
    delete_event: events.delete_event,
    create_memo: memos.create_memo,
    query_memos: memos.query_memos,
    update_memo: memos.update_memo,
    delete_memo: memos.delete_memo,
    search: searchHandler(ctx),
    delegate_task: delegateHandler(ctx),
    daily_briefing: briefingHandler(ctx),
  };

  const runAction = cardActions({ handlers: HANDLERS, items, anyItems, completeTodo: todos.complete, ctx });

  return {
    async handleMessage(io, { text: message }) {
      const history = io.userMessageId
        ? await deps.history.before(io.conversationId, io.userMessageId, CHAT_HISTORY)
        : [];
      const base = { io, message, history };
      const followUp = await events.completePending({ ...base, params: {} });
      if (followUp) return followUp;
      let classification: ClassifyResult;
      try {
        classification = await deps.classifier.classify(
          { text: message, history: asChat(history).slice(-CLASSIFY_HISTORY), ...ctx.understandCtx() },
          io.signal,
        );
      } catch (err) {
        if (io.signal.aborted) return text('', null, { status: 'stopped' });
        throw err;
      }
      const unsure = askWhichIntent(classification, message);
      if (unsure) return unsure;
      const turn: Turn = { ...base, params: classification.params };
      const outcome = await HANDLERS[classification.intent].run(turn);
      // The fast path skipped an LLM that is up: its title is still worth asking for.
      return classification.source === 'offline' ? outcome : { llmAvailable: true, ...outcome };
    },

    async regenerate(io) {
      if (!io.userMessageId) return text('There is nothing to answer.', null);
      const history = await deps.history.before(io.conversationId, io.userMessageId, CHAT_HISTORY, true);
      return chat.answer(io, asChat(history));
    },

    async handleAction(io, { card, action, params }) {
      return runAction(io, card, action, params);
    },
  };
}
