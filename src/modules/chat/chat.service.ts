/**
 * Chat: conversations, messages, sending and card buttons, one file each
 * (conversations.service.ts, messages.service.ts, send.service.ts, card-actions.service.ts),
 * sharing the repositories and the turn runner built here. No Fastify here: routes and the
 * WebSocket plugin call these methods.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { EventSink } from '../../realtime/events.js';
import { createCardActionsService } from './card-actions.service.js';
import type { ChatContext, Elsewhere } from './chat.context.js';
import { createConversationsRepository } from './conversations.repository.js';
import { createConversationsService } from './conversations.service.js';
import { createMessagesRepository } from './messages.repository.js';
import { createMessagesService } from './messages.service.js';
import { createSendService } from './send.service.js';
import type { TurnHandler } from './turn-handler.js';
import { createTurnRunner, type Titler, type TurnLog } from './turns.js';

export type { ActionResponse } from './card-actions.service.js';
export type { SendResult } from './send.service.js';

export interface ChatServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  publish: EventSink;
  /** What answers the turns: the orchestrator. */
  handler: TurnHandler;
  titler: Titler;
  log?: TurnLog;
  elsewhere?: Elsewhere;
}

/** With several instances, a reply still streaming after this long at start-up is an orphan. */
const ORPHAN_AFTER_MS = 3600_000;

export type ChatService = Awaited<ReturnType<typeof createChatService>>;

export async function createChatService(deps: ChatServiceDeps) {
  const { db, clock, publish } = deps;
  const conversations = createConversationsRepository(db);
  const messages = createMessagesRepository(db);
  const runner = createTurnRunner({
    db,
    conversations,
    messages,
    publish,
    clock,
    titler: deps.titler,
    log: deps.log,
  });
  const c: ChatContext = {
    db,
    clock,
    publish,
    conversations,
    messages,
    runner,
    handler: deps.handler,
    elsewhere: deps.elsewhere,
  };

  // Replies a crash left half-written are failed, keeping the text received (API.md "Chat").
  // With several instances only old ones: a recent one may be streaming on another instance.
  await messages.failStreaming(
    undefined,
    deps.elsewhere ? new Date(clock.now().getTime() - ORPHAN_AFTER_MS).toISOString() : undefined,
  );

  return {
    runner,
    ...createConversationsService(c),
    ...createMessagesService(c),
    ...createSendService(c),
    ...createCardActionsService(c),
    async close(): Promise<void> {
      await runner.close();
    },
  };
}
