/**
 * What every intent handler sees: the services it acts through (all required), the turn it
 * answers, and the small helpers they share. See index.ts for how a turn is dispatched.
 */
import type { Config } from '../../config.js';
import type { Clock } from '../../lib/clock.js';
import type { WriteContext } from '../../modules/common/items.js';
import { listCard, type Card, type CardItem, type ItemType } from '../../modules/chat/cards.js';
import type { Message } from '../../modules/chat/chat.schemas.js';
import type { ChatHistory } from '../../modules/chat/history.js';
import type { TurnIO, TurnOutcome } from '../../modules/chat/turn-handler.js';
import type { EventsService } from '../../modules/events/events.service.js';
import type { MemosService } from '../../modules/memos/memos.service.js';
import type { SearchService } from '../../modules/search/search.service.js';
import type { Today } from '../../modules/today/today.service.js';
import type { TodosService } from '../../modules/todos/todos.service.js';
import type { Intent, IntentParams, UnderstandContext } from '../intents.js';
import { readableList, type ReplyClock } from '../replies.js';
import type { AiProvider, ChatMessage, Classifier } from '../types.js';

/** A background task as the orchestrator needs it (the agent-tasks service plugs in here). */
export interface AgentTasksPort {
  create(
    input: { task_type?: string; instruction: string; conversation_id: string },
    ctx: WriteContext,
  ): Promise<{ id: string; task_type: string; instruction: string; status: string }>;
}

/** The daily briefing (the briefing module plugs in here). */
export interface BriefingPort {
  /** `signal`: the turn's (`stop`); an abort rejects. */
  build(signal?: AbortSignal): Promise<{ text: string; date: string }>;
}

/** Reads a reply to "when is it?" (`at 4pm`) as a local start (and end), or null when it says anything else. */
export type FollowUpTimeReader = (
  text: string,
  ctx: UnderstandContext,
  day?: string,
) => { start_time: string; end_time?: string } | null;

export interface OrchestratorDeps {
  todos: Pick<TodosService, 'create' | 'update' | 'remove' | 'get' | 'list' | 'find'>;
  events: Pick<EventsService, 'create' | 'update' | 'remove' | 'get' | 'list'>;
  memos: Pick<MemosService, 'create' | 'update' | 'remove' | 'get' | 'list'>;
  search: Pick<SearchService, 'search'>;
  today: { get(tz?: string, maxTasks?: number): Promise<Today> };
  briefing: BriefingPort;
  agentTasks: AgentTasksPort;
  classifier: Classifier;
  provider: AiProvider;
  clock: Clock;
  timezone: () => string;
  ai: Pick<Config['ai'], 'shareContext' | 'systemPrompt'>;
  /** The conversation read back (the chat module's history repository). */
  history: ChatHistory;
  readFollowUpTime: FollowUpTimeReader;
}

/** One message being answered: what a handler gets. */
export interface Turn {
  io: TurnIO;
  params: IntentParams;
  /** The user's words. */
  message: string;
  /** The conversation before the message, oldest first. */
  history: readonly Message[];
}

/** What answers one intent; index.ts holds the table of them. */
export interface Handler {
  run(turn: Turn): Promise<TurnOutcome>;
  /** An intent about one item: acts on the one a `choose` card picked (null: it is gone). */
  pick?: { type: ItemType; act(turn: Turn, id: string): Promise<TurnOutcome | null> };
}

/** The helpers every handler file builds on (created once per orchestrator). */
export interface Context {
  deps: OrchestratorDeps;
  zone(): string;
  understandCtx(): UnderstandContext;
  replyClock(): ReplyClock;
  writeCtx(io: TurnIO): WriteContext;
}

export function createContext(deps: OrchestratorDeps): Context {
  return {
    deps,
    zone: () => deps.timezone(),
    understandCtx: () => ({ now: deps.clock.now(), timezone: deps.timezone() }),
    replyClock: () => ({ now: deps.clock.now(), timezone: deps.timezone() }),
    writeCtx: (io) => ({
      conversationId: io.conversationId,
      messageId: io.userMessageId,
      publish: io.publish,
    }),
  };
}

/** The fields of `obj` that are set (a patch carries only what the message said). */
export function defined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function text(content: string, intent: Intent | null, extra: Partial<TurnOutcome> = {}): TurnOutcome {
  return { content, intent, ...extra };
}

export function withCard(content: string, intent: Intent | null, card: Card): TurnOutcome {
  return { content, intent, card };
}

/** What a query intent says: `none` when nothing matched, else `heading` over the numbered items. */
export interface ListWords<T> {
  none: string;
  heading: string;
  describe(item: T): string;
}

/** A query intent's answer, with the list card of what it found (`total` counts beyond the page). */
export function listReply<T extends CardItem>(
  intent: Intent,
  type: ItemType,
  found: readonly T[],
  total: number,
  words: ListWords<T>,
): TurnOutcome {
  const content =
    total === 0
      ? words.none
      : `${words.heading}:\n${readableList(
          found.map((item) => words.describe(item)),
          total,
        )}`;
  return withCard(content, intent, listCard(type, found, total));
}

/** The user/assistant text of a conversation, as LLM messages (failures and empty rows left out). */
export function asChat(messages: readonly Message[]): ChatMessage[] {
  return messages
    .filter(
      (m) =>
        m.content.trim() !== '' &&
        m.message_type !== 'system' &&
        m.role !== 'system' &&
        m.status !== 'streaming',
    )
    .map((m) => ({ role: m.role === 'user' ? 'user' : 'assistant', content: m.content }));
}
