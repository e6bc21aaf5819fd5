/**
 * The daily briefing (BEHAVIOUR.md "Scheduler"): today's events, tasks due, overdue tasks, the
 * inbox count and running agent tasks, written by the LLM in friendly prose, or as a clean
 * template when there is no LLM (or it fails). `sendDaily` stores it as an assistant message in
 * the one "Daily Briefing" conversation, at most once per local date: the `briefing:<date>`
 * notification is decided in the same transaction as the message.
 */
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { ConversationRow, DB, MessageRow } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { localDate } from '../../lib/time.js';
import { AiUnavailableError } from '../../ai/types.js';
import type { EventSink } from '../../realtime/events.js';
import { toConversation, toMessage } from '../chat/chat.mappers.js';
import type { EventOccurrence } from '../events/events.schemas.js';
import type { NotificationsService } from '../notifications/notifications.service.js';
import type { Today } from '../today/today.service.js';
import type { Todo } from '../todos/todos.schemas.js';
import type { BriefingRepository } from './briefing.repository.js';

export const BRIEFING_TITLE = 'Daily Briefing';
/** How long a briefing written on demand (GET /api/today/briefing) is reused. */
const PREVIEW_TTL_MS = 5 * 60_000;

/** The narrow LLM call the briefing needs (the AI provider's `complete`); `signal` stops it. */
export type CompleteFn = (
  messages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>,
  opts?: { signal?: AbortSignal },
) => Promise<string>;

export interface BriefingServiceDeps {
  db: Kysely<DB>;
  repo: BriefingRepository;
  clock: Clock;
  timezone: () => string;
  today: { build(now: Date, zone: string): Promise<Today> };
  notifications: Pick<NotificationsService, 'decide' | 'decidedKeys' | 'kick'>;
  publish: EventSink;
  /** Absent (no LLM configured): the template is used. */
  complete?: CompleteFn;
  log?: { warn(obj: object, msg?: string): void };
}

export interface Briefing {
  text: string;
  /** The local date it is for, `YYYY-MM-DD`. */
  date: string;
  source: 'llm' | 'template';
}

export type BriefingService = ReturnType<typeof createBriefingService>;

type AgentTaskLine = { task_type: string; instruction: string };

const SYSTEM_PROMPT = [
  "You are ClawChat, the owner's personal assistant. Write their daily briefing from the facts given:",
  'friendly and concise prose (at most about 150 words), plain text without markdown headings,',
  'mentioning every event, due task, overdue task and running agent task listed, with their times.',
  'Never invent anything that is not in the facts. Start with the greeting.',
].join(' ');

const bullet = (s: string) => `- ${s}`;

function truncate(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

function eventLine(e: EventOccurrence, zone: string): string {
  if (e.is_all_day) return `All day: ${e.title}`;
  const start = DateTime.fromISO(e.start_time, { zone });
  const end = e.end_time ? DateTime.fromISO(e.end_time, { zone }) : null;
  const sameDay = end !== null && end.hasSame(start, 'day');
  const span = end
    ? `${start.toFormat('HH:mm')}–${sameDay ? end.toFormat('HH:mm') : end.toFormat('ccc HH:mm')}`
    : start.toFormat('HH:mm');
  return `${span} ${e.title}${e.location ? ` (${e.location})` : ''}`;
}

function todoLine(t: Todo, zone: string, withDay: boolean): string {
  if (!t.due_date) return t.title;
  const due = DateTime.fromISO(t.due_date, { zone });
  if (!t.due_has_time) return withDay ? `${t.title} (due ${due.toFormat('ccc d LLL')})` : t.title;
  return withDay
    ? `${t.title} (due ${due.toFormat('ccc d LLL, HH:mm')})`
    : `${due.toFormat('HH:mm')} ${t.title}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The offline briefing: a clean, complete template. */
export function renderTemplate(day: Today, agents: AgentTaskLine[], now: Date): string {
  const zone = day.timezone;
  const heading = DateTime.fromJSDate(now, { zone }).toFormat('cccc, LLLL d');
  const lines = [`${day.greeting}! Here is your briefing for ${heading}.`, ''];

  if (day.today_events.length === 0) lines.push('No events today.');
  else
    lines.push(
      `Events today (${day.today_events.length}):`,
      ...day.today_events.map((e) => bullet(eventLine(e, zone))),
    );

  if (day.today_tasks.length === 0) lines.push('No tasks due today.');
  else
    lines.push(
      `Tasks for today (${day.today_tasks.length}):`,
      ...day.today_tasks.map((t) => bullet(todoLine(t, zone, false))),
    );

  if (day.overdue_tasks.length > 0)
    lines.push(
      `Overdue (${day.overdue_tasks.length}):`,
      ...day.overdue_tasks.map((t) => bullet(todoLine(t, zone, true))),
    );

  if (day.inbox_count > 0) lines.push(`Inbox: ${plural(day.inbox_count, 'task')} without a due date.`);

  if (agents.length > 0)
    lines.push(
      `Agent tasks running (${agents.length}):`,
      ...agents.map((a) => bullet(`${a.task_type}: ${truncate(a.instruction, 80)}`)),
    );
  return lines.join('\n');
}

/** The notification's one-line body. */
export function summaryLine(day: Today, agents: number): string {
  const parts: string[] = [];
  if (day.today_events.length) parts.push(plural(day.today_events.length, 'event'));
  if (day.today_tasks.length) parts.push(plural(day.today_tasks.length, 'task') + ' for today');
  if (day.overdue_tasks.length) parts.push(`${day.overdue_tasks.length} overdue`);
  if (day.inbox_count) parts.push(`${day.inbox_count} in the inbox`);
  if (agents) parts.push(plural(agents, 'agent task') + ' running');
  return parts.length ? parts.join(', ') : 'Nothing scheduled today';
}

class AlreadySent extends Error {}

export function createBriefingService(deps: BriefingServiceDeps) {
  const { db, repo, clock } = deps;

  /** Today's briefing as last written on demand (not stored), for `ofToday`. */
  let preview: { key: string; result: Promise<{ briefing: string; date: string }> } | null = null;

  async function gather(now: Date) {
    const zone = deps.timezone();
    const [day, agents] = await Promise.all([deps.today.build(now, zone), repo.runningAgentTasks()]);
    return { day, agents };
  }

  /** The LLM's prose, else the template. An abort (`signal`) is thrown, never papered over. */
  async function write(
    day: Today,
    agents: AgentTaskLine[],
    now: Date,
    signal?: AbortSignal,
  ): Promise<Briefing> {
    const template = renderTemplate(day, agents, now);
    if (deps.complete) {
      try {
        const prose = (
          await deps.complete(
            [
              { role: 'system', content: SYSTEM_PROMPT },
              {
                role: 'user',
                content: `Facts (timezone ${day.timezone}, now ${DateTime.fromJSDate(now, { zone: day.timezone }).toFormat('HH:mm')}):\n${template}`,
              },
            ],
            signal ? { signal } : undefined,
          )
        ).trim();
        if (prose) return { text: prose, date: day.date, source: 'llm' };
      } catch (err) {
        if (signal?.aborted) throw err;
        // Unreachable is expected (no model running yet): its message says all, without a stack.
        const detail = err instanceof AiUnavailableError ? { reason: err.message } : { err };
        deps.log?.warn(detail, 'briefing: LLM unavailable, using the template');
      }
    }
    signal?.throwIfAborted();
    return { text: template, date: day.date, source: 'template' };
  }

  return {
    /**
     * Today's briefing text, without storing it. `signal` (a chat turn's `stop`) aborts the LLM
     * call and rejects.
     */
    async build(signal?: AbortSignal, now: Date = clock.now()): Promise<Briefing> {
      const { day, agents } = await gather(now);
      signal?.throwIfAborted();
      return write(day, agents, now, signal);
    },

    /**
     * Today's briefing for `GET /api/today/briefing` (COMPAT.md): the one stored today if the
     * scheduler already wrote it, else written now (LLM or template) without storing it.
     */
    async ofToday(now: Date = clock.now()): Promise<{ briefing: string; date: string }> {
      const date = localDate(now, deps.timezone());
      const conversation = await repo.conversationByTitle(BRIEFING_TITLE);
      for (const row of conversation ? await repo.latestBriefings(conversation.id) : []) {
        const meta = row.metadata ? (JSON.parse(row.metadata) as { briefing?: { date?: string } }) : null;
        if (meta?.briefing?.date === date) return { briefing: row.content, date };
      }
      // Written now: shared by every caller for a few minutes, so an app polling before the
      // morning job makes one LLM call, not one per request.
      const key = `${date}/${Math.floor(now.getTime() / PREVIEW_TTL_MS)}`;
      if (preview?.key !== key) {
        const result = gather(now)
          .then(({ day, agents }) => write(day, agents, now))
          .then((w) => ({ briefing: w.text, date: w.date }));
        preview = { key, result };
        result.catch(() => {
          if (preview?.result === result) preview = null;
        });
      }
      return preview.result;
    },

    /**
     * Builds and stores the briefing of `now`'s local date unless it was already sent: returns
     * the stored message, or null. The LLM is called before, never inside, the transaction.
     */
    async sendDaily(
      now: Date = clock.now(),
    ): Promise<{ message_id: string; conversation_id: string; briefing: Briefing } | null> {
      const key = `briefing:${localDate(now, deps.timezone())}`;
      if ((await deps.notifications.decidedKeys([key])).size > 0) return null;
      const { day, agents } = await gather(now);
      const briefing = await write(day, agents, now);

      let stored: { conversation: ConversationRow; message: MessageRow };
      try {
        stored = await db.transaction().execute(async (trx) => {
          const at = clock.now().toISOString();
          const conversation = await repo.titledConversation(BRIEFING_TITLE, at, trx);
          const message: MessageRow = {
            id: newId('msg'),
            conversation_id: conversation.id,
            role: 'assistant',
            content: briefing.text,
            message_type: 'text',
            status: 'complete',
            intent: 'daily_briefing',
            metadata: JSON.stringify({ briefing: { date: briefing.date, source: briefing.source } }),
            created_at: at,
          };
          await repo.insertMessage(message, trx);
          const notification = await deps.notifications.decide(
            {
              kind: 'briefing',
              title: BRIEFING_TITLE,
              body: summaryLine(day, agents.length),
              conversation_id: conversation.id,
              dedupe_key: key,
            },
            trx,
          );
          // Decided meanwhile (another instance): roll the message back.
          if (!notification) throw new AlreadySent();
          await repo.touchConversation(conversation.id, at, trx);
          return { conversation: { ...conversation, updated_at: at }, message };
        });
      } catch (err) {
        if (err instanceof AlreadySent) return null;
        throw err;
      }

      const { conversation, message } = stored;
      deps.publish('message_created', toMessage(message));
      deps.publish('conversation_updated', {
        conversation_id: conversation.id,
        title: conversation.title,
        conversation: toConversation({ ...conversation, preview: message.content.slice(0, 100) }),
      });
      // The apps read the briefing itself from this frame (COMPAT.md); the notification follows.
      deps.publish('daily_briefing', { content: briefing.text, generated_at: message.created_at });
      void deps.notifications.kick();
      return { message_id: message.id, conversation_id: conversation.id, briefing };
    },
  };
}
