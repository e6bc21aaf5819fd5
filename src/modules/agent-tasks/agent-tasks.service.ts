/**
 * Agent tasks (BEHAVIOUR.md "Agent tasks"): background work for the LLM, queued durably in the
 * database and run by the worker (worker.ts): `queued` -> `running` -> `completed` | `failed` |
 * `cancelled`. Every status change is announced (`agent_task_updated`, `module_data_changed`).
 *
 * An outcome is recorded in one transaction, and only while the recording instance still
 * holds the task (a cancel or a takeover in between wins): the status, the result message (in
 * the originating conversation, else the "Agent tasks" conversation; failures only where the
 * task was asked) and the notification decision (outbox, so it is sent once). The LLM is
 * called outside any transaction.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { Kysely, Transaction } from 'kysely';
import { AiUnavailableError, type AiProvider, type ChatMessage } from '../../ai/types.js';
import type { Dialect } from '../../db/database.js';
import type { AgentTaskRow, ConversationRow, DB, MessageRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { csvEnum } from '../../lib/csv-enum.js';
import { conflict, notFound, orNotFound, validationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { DomainEvents } from '../../realtime/domain-events.js';
import type { EventSink } from '../../realtime/events.js';
import type { ServerEvents } from '../../realtime/frames.js';
import { progressOf } from './tasks-compat.js';
import { toConversation, toMessage } from '../chat/chat.mappers.js';
import type { WriteContext } from '../common/items.js';
import type { NotificationDraft } from '../notifications/notifications.service.js';
import {
  createAgentTasksRepository,
  type AgentTaskPatch,
  type SettleGuard,
} from './agent-tasks.repository.js';
import {
  TASK_STATUSES,
  TASK_TYPES,
  type AgentTask,
  type AgentTaskListQuery,
  type TaskStatus,
  type TaskType,
} from './agent-tasks.schemas.js';
import { clip, taskMessages } from './prompts.js';
import {
  createAgentWorker,
  createLocalCancelChannel,
  MAX_ATTEMPTS,
  type CancelChannel,
  type TaskRunner,
} from './worker.js';
import type { Logger } from '../../lib/logger.js';

/** Where results of tasks asked outside a conversation go (found by title, created once). */
export const AGENT_TASKS_TITLE = 'Agent tasks';
const MAX_INSTRUCTION = 10_000;
/** Messages of the originating conversation given to the LLM as context. */
const CONTEXT_MESSAGES = 10;

/** The outbox, as agent tasks use it (notifications.service.ts). */
export interface TaskNotifier {
  decide(draft: NotificationDraft, trx?: Transaction<DB>): Promise<unknown>;
  kick(): Promise<void>;
}

export interface AgentTaskInput {
  task_type?: string;
  instruction: string;
  conversation_id?: string | null;
}

export interface AgentTasksServiceDeps {
  db: Kysely<DB>;
  dialect?: Dialect;
  clock: Clock;
  timezone: () => string;
  publish: EventSink;
  ai: Pick<AiProvider, 'streamChat'>;
  /** The notification outbox (WebSocket + push); without it only a WebSocket frame is sent. */
  notifications?: TaskNotifier;
  concurrency: number;
  /** No REDIS_URL: this is the only instance on the database (see worker.ts, crash recovery). */
  singleInstance: boolean;
  /** AI_SYSTEM_PROMPT. */
  extraInstructions?: string | null;
  /** Cancels across instances; default local only. */
  cancels?: CancelChannel;
  /** Domain events: a task created during a chat turn is started once its events are out. */
  domain: Pick<DomainEvents, 'subscribe'>;
  leaseMs?: number;
  pollIntervalMs?: number;
  log?: Logger;
}

export type AgentTasksService = ReturnType<typeof createAgentTasksService>;

type Outcome =
  { status: 'completed'; text: string; truncated: boolean } | { status: 'failed'; error: string };

/** Raised inside the outcome transaction when the task is no longer ours: roll it all back. */
class Superseded extends Error {}

export function toAgentTask(row: AgentTaskRow): AgentTask {
  return {
    id: row.id,
    task_type: row.task_type as TaskType,
    instruction: row.instruction,
    status: row.status as TaskStatus,
    result: row.result,
    error: row.error,
    conversation_id: row.conversation_id,
    message_id: row.message_id,
    created_at: row.created_at,
    started_at: row.started_at,
    completed_at: row.completed_at,
  };
}

const isTaskType = (v: string): v is TaskType => (TASK_TYPES as readonly string[]).includes(v);

/** The failure as the user reads it; the provider's own messages already are. */
function readableError(err: unknown): string {
  if (err instanceof AiUnavailableError) return err.message;
  return 'The task failed because of an unexpected error on the server.';
}

/** The frames the ClawChat apps listen for on a task's status change (COMPAT.md). */
function appTaskFrames(task: AgentTask): AppTaskFrame[] {
  const { progress, message } = progressOf(task.status);
  const frames: AppTaskFrame[] = [
    ['task_progress', { task_id: task.id, progress, message, status: task.status, parent_task_id: null }],
  ];
  const about = {
    task_id: task.id,
    task_type: task.task_type,
    conversation_id: task.conversation_id,
    parent_task_id: null,
  };
  if (task.status === 'completed') frames.push(['task_completed', { ...about, result: task.result }]);
  if (task.status === 'failed' || task.status === 'cancelled')
    frames.push([
      'task_failed',
      { ...about, error: task.error ?? (task.status === 'cancelled' ? 'Cancelled' : null) },
    ]);
  return frames;
}

type AppTaskFrame =
  | ['task_progress', ServerEvents['task_progress']]
  | ['task_completed', ServerEvents['task_completed']]
  | ['task_failed', ServerEvents['task_failed']];

export function createAgentTasksService(deps: AgentTasksServiceDeps) {
  const { db, clock, publish } = deps;
  const repo = createAgentTasksRepository(db, deps.dialect);
  const cancels = deps.cancels ?? createLocalCancelChannel();
  const instanceId = `${os.hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  const nowIso = () => clock.now().toISOString();

  function announce(
    row: AgentTaskRow,
    action: 'created' | 'updated' = 'updated',
    sink: EventSink = publish,
  ): AgentTask {
    const task = toAgentTask(row);
    sink('agent_task_updated', { ...task });
    sink('module_data_changed', { module: 'agent_tasks', action, id: row.id });
    for (const [type, data] of appTaskFrames(task)) sink(type, data);
    return task;
  }

  async function promptFor(task: AgentTaskRow): Promise<ChatMessage[]> {
    const context = task.conversation_id
      ? (await repo.contextMessages(task.conversation_id, task.created_at, CONTEXT_MESSAGES)).map(
          (m): ChatMessage => ({ role: m.role === 'user' ? 'user' : 'assistant', content: m.content }),
        )
      : [];
    const type = isTaskType(task.task_type) ? task.task_type : 'custom';
    return taskMessages(type, task.instruction, {
      now: clock.now(),
      timezone: deps.timezone(),
      extra: deps.extraInstructions,
      context,
    });
  }

  function resultMessage(
    task: AgentTaskRow,
    outcome: Outcome,
    conversationId: string,
    at: string,
  ): MessageRow {
    const what = `“${clip(task.instruction, 120)}”`;
    const completed = outcome.status === 'completed';
    return {
      id: newId('msg'),
      conversation_id: conversationId,
      role: 'assistant',
      content: completed
        ? `Here is the result of the background ${task.task_type} task ${what}:\n\n${outcome.text}`
        : `The background ${task.task_type} task ${what} failed: ${outcome.error}`,
      message_type: completed ? 'text' : 'system',
      status: 'complete',
      intent: null,
      metadata: JSON.stringify({
        agent_task: { id: task.id, task_type: task.task_type, status: outcome.status },
        ...(completed && outcome.truncated ? { truncated: true } : {}),
      }),
      created_at: at,
    };
  }

  function draftFor(task: AgentTaskRow, outcome: Outcome, conversationId: string | null): NotificationDraft {
    const what = clip(task.instruction, 60);
    return {
      kind: 'agent_task',
      title: outcome.status === 'completed' ? `Task done: ${what}` : `Task failed: ${what}`,
      body: outcome.status === 'completed' ? clip(outcome.text, 200) : outcome.error,
      conversation_id: conversationId,
      item_id: task.id,
      // A task ends once, so it is notified once.
      dedupe_key: `agent_task:${task.id}`,
    };
  }

  /** Records an outcome if `guard` still holds; then announces it. False when someone else settled the task. */
  async function settle(task: AgentTaskRow, outcome: Outcome, guard: SettleGuard): Promise<boolean> {
    const at = nowIso();
    let stored: {
      conversation: ConversationRow | undefined;
      message: MessageRow | null;
      draft: NotificationDraft;
    };
    try {
      stored = await db.transaction().execute(async (trx) => {
        let conversation = task.conversation_id
          ? await repo.findConversation(task.conversation_id, trx)
          : undefined;
        // Results always reach the user; a failure is posted only where the task was asked.
        if (!conversation && outcome.status === 'completed') {
          // Two tasks finishing at once (two workers, or two instances) make one conversation.
          await repo.lockTitle(AGENT_TASKS_TITLE, trx);
          conversation = await repo.titledConversation(AGENT_TASKS_TITLE, at, trx);
        }
        let message: MessageRow | null = null;
        if (conversation) {
          message = resultMessage(task, outcome, conversation.id, at);
          await repo.insertMessage(message, trx);
          await repo.touchConversation(conversation.id, at, trx);
          conversation = { ...conversation, updated_at: at, is_archived: 0 };
        }
        const patch: AgentTaskPatch = {
          status: outcome.status,
          result: outcome.status === 'completed' ? outcome.text : null,
          error: outcome.status === 'failed' ? outcome.error : null,
          completed_at: at,
          conversation_id: conversation?.id ?? null,
          message_id: message?.id ?? null,
        };
        if (!(await repo.settle(task.id, patch, guard, trx))) throw new Superseded();
        const draft = draftFor(task, outcome, conversation?.id ?? null);
        await deps.notifications?.decide(draft, trx);
        return { conversation, message, draft };
      });
    } catch (err) {
      if (err instanceof Superseded) return false;
      throw err;
    }

    const { conversation, message, draft } = stored;
    if (conversation && message) {
      const preview = message.content.slice(0, 100);
      const shaped = toConversation({ ...conversation, preview });
      publish('conversation_updated', {
        conversation_id: conversation.id,
        title: conversation.title,
        conversation: shaped,
      });
      publish('message_created', { ...toMessage(message) });
    }
    const row = await repo.find(task.id);
    if (row) announce(row);
    if (deps.notifications) void deps.notifications.kick();
    else
      publish('notification', {
        title: draft.title,
        body: draft.body,
        kind: 'agent_task',
        conversation_id: draft.conversation_id ?? null,
        action: draft.conversation_id ? 'open_conversation' : null,
        item_id: draft.item_id ?? null,
      });
    return true;
  }

  const runner: TaskRunner = {
    async run(task, signal) {
      announce(task);
      let outcome: Outcome;
      try {
        const res = await deps.ai.streamChat(await promptFor(task), { signal, onDelta: () => undefined });
        // Cancelled, taken over or shutting down: whoever stopped it records the status.
        if (signal.aborted || res.aborted) return;
        const text = res.content.trim();
        outcome = text
          ? { status: 'completed', text, truncated: res.truncated }
          : { status: 'failed', error: 'The AI provider returned an empty answer.' };
      } catch (err) {
        if (signal.aborted) return;
        if (!(err instanceof AiUnavailableError))
          deps.log?.error({ err, task_id: task.id }, 'agent task failed');
        outcome = { status: 'failed', error: readableError(err) };
      }
      await settle(task, outcome, { lockedBy: instanceId });
    },

    async giveUp(task) {
      const error =
        `The task was interrupted ${task.attempts} times before it could finish ` +
        '(the server stopped while running it), so it was given up.';
      await settle(task, { status: 'failed', error }, { exhaustedAt: nowIso(), maxAttempts: MAX_ATTEMPTS });
    },

    released(task) {
      announce(task);
    },
  };

  const worker = createAgentWorker({
    repo,
    clock,
    runner,
    cancels,
    instanceId,
    concurrency: deps.concurrency,
    singleInstance: deps.singleInstance,
    leaseMs: deps.leaseMs,
    pollIntervalMs: deps.pollIntervalMs,
    maxAttempts: MAX_ATTEMPTS,
    log: deps.log,
  });

  deps.domain.subscribe((e) => {
    if (e.type === 'item_changed' && e.data.module === 'agent_tasks' && e.data.action === 'created')
      worker.wake();
  });

  async function get(id: string): Promise<AgentTask> {
    return toAgentTask(orNotFound(await repo.find(id), 'Agent task', id));
  }

  return {
    get,

    /**
     * Queues a task (REST, and the chat orchestrator's delegate_task). `conversation_id` (or the
     * context's) is where the result goes; events go to `ctx.publish` when given (a chat turn
     * holds them until its end). The worker is woken at once.
     */
    async create(input: AgentTaskInput, ctx: WriteContext = {}): Promise<AgentTask> {
      const taskType = input.task_type ?? 'custom';
      if (!isTaskType(taskType))
        throw validationError('task_type', `task_type must be one of ${TASK_TYPES.join(', ')}`, taskType);
      const instruction = input.instruction.trim();
      if (instruction === '') throw validationError('instruction', 'instruction must not be empty');
      if ([...instruction].length > MAX_INSTRUCTION)
        throw validationError('instruction', `instruction must be at most ${MAX_INSTRUCTION} characters`);
      const conversationId = input.conversation_id ?? ctx.conversationId ?? null;
      if (conversationId !== null && !(await repo.findConversation(conversationId)))
        throw notFound('Conversation', conversationId);

      const row: AgentTaskRow = {
        id: newId('task'),
        task_type: taskType,
        instruction,
        status: 'queued',
        result: null,
        error: null,
        conversation_id: conversationId,
        message_id: null,
        attempts: 0,
        locked_until: null,
        locked_by: null,
        created_at: nowIso(),
        started_at: null,
        completed_at: null,
      };
      await repo.insert(row);
      const task = announce(row, 'created', ctx.publish ?? publish);
      // Inside a chat turn the task's events are held until the reply ends: the worker wakes
      // when they are released (the `item_changed` domain event), so `running` never overtakes `queued`.
      if (!ctx.publish) worker.wake();
      return task;
    },

    async list(
      query: AgentTaskListQuery,
    ): Promise<{ items: AgentTask[]; total: number; page: number; limit: number }> {
      const page = query.page ?? 1;
      const limit = query.limit ?? 20;
      const { rows, total } = await repo.list(csvEnum('status', query.status, TASK_STATUSES), page, limit);
      return { items: rows.map(toAgentTask), total, page, limit };
    },

    /** Cancels a queued or running task (aborting its LLM call wherever it runs); a finished one is a 409. */
    async cancel(id: string): Promise<AgentTask> {
      const row = await repo.cancel(id, nowIso());
      if (!row) {
        const current = orNotFound(await repo.find(id), 'Agent task', id);
        throw conflict(
          `The task has already ${current.status === 'cancelled' ? 'been cancelled' : current.status}`,
          {
            status: current.status,
          },
        );
      }
      cancels.publish(id);
      return announce(row);
    },

    /** The worker (tests drive `tick()` and `idle()`; `running()` lists the tasks run here). */
    worker,
    /** Recovers tasks a previous process left running, then starts claiming. */
    start: () => worker.start(),
    /** Stops the worker; running tasks go back to the queue. */
    close: () => worker.close(),
  };
}
