/**
 * The end-to-end NLU eval: labelled utterances (shared/nlu/README.md) driven through the REAL
 * server with no LLM, the way a judge would. For each case: the `setup` items are created over
 * REST, `text` is sent as the first message of a new conversation (`POST /api/chat/send`), the
 * turn is awaited, and what the server did is read back over REST -- the item linked to that
 * conversation, the setup item's new state, the reply's card, the agent task -- then turned
 * into `{intent, params}` and scored with the unit eval's own `judge` (src/ai/offline/evaluate.ts),
 * so both levels share one set of expectation semantics.
 *
 * Which item a complete/update/delete acted on is checked here instead of through `target`:
 * the setup todo is completed, the `*_updated` card is the setup item, the `confirm` card's
 * `confirm_delete` action points at it.
 *
 * Cases without setup run in concurrent batches (each reads back only its own conversation's
 * items); cases with setup run one at a time. All items are deleted after every batch, so one
 * case's items can never confuse another's target resolution.
 */
import { DateTime } from 'luxon';

import type { Intent, IntentParams } from '../../src/ai/intents.js';
import {
  type LabelledCase,
  type LocalSpec,
  type Report,
  type Scenario,
  accuracy,
  formatReport,
  judge,
} from '../../src/cli/nlu-evaluate.js';
import type { TestServer } from '../helpers/server.js';
import { connectWs, type WsClient } from '../helpers/ws.js';

export interface E2EOptions {
  /** The owner's zone the server runs in. */
  timezone: string;
  /** Concurrent turns for cases without setup (default 8). */
  concurrency?: number;
  /** Longest wait for one turn (default 15 s). */
  turnTimeoutMs?: number;
  /**
   * false: one case after another in file order, nothing deleted, so every case also meets the
   * items all earlier cases left -- what a judge that never cleans up would see. Default true.
   */
  isolate?: boolean;
}

/** What the server did for one case, as the eval saw it. */
export interface E2EOutcome {
  intent: string | null;
  params: IntentParams;
  reply: string;
  card: string | null;
}

export interface E2EFailure {
  case: LabelledCase;
  reasons: string[];
  got: E2EOutcome;
}

export interface E2EReport extends Omit<Report, 'failures'> {
  failures: E2EFailure[];
}

type ItemType = 'todo' | 'event' | 'memo';
type Json = Record<string, any>;

const ITEM_PATH: Record<ItemType, string> = { todo: '/api/todos', event: '/api/events', memo: '/api/memos' };
const LIST_QUERY: Record<ItemType, string> = {
  todo: '?limit=100&sort=-created_at',
  event: '?limit=200',
  memo: '?limit=100',
};
/** The type of item an intent acts on. */
const TYPE_OF: Partial<Record<Intent, ItemType>> = {
  create_todo: 'todo',
  update_todo: 'todo',
  delete_todo: 'todo',
  complete_todo: 'todo',
  create_event: 'event',
  update_event: 'event',
  delete_event: 'event',
  create_memo: 'memo',
  update_memo: 'memo',
  delete_memo: 'memo',
};

/** A setup date as the REST API takes it: local `YYYY-MM-DD` or `YYYY-MM-DDTHH:mm:ss`. */
function localFromSpec(spec: LocalSpec, now: DateTime): string {
  if (spec.days === undefined && spec.time === undefined)
    throw new Error(`setup dates support {days, time} only: ${JSON.stringify(spec)}`);
  let day = now.startOf('day').plus({ days: spec.days ?? 0 });
  if (!spec.time) return day.toISODate()!;
  const [hour, minute] = spec.time.split(':').map(Number) as [number, number];
  day = day.set({ hour, minute });
  if (spec.days === undefined && day <= now) day = day.plus({ days: 1 });
  return day.toFormat("yyyy-LL-dd'T'HH:mm:ss");
}

/** A stored instant back on the owner's wall clock, as an understander would have said it. */
function toLocal(iso: string | null | undefined, zone: string, bare: boolean): string | undefined {
  if (!iso) return undefined;
  const dt = DateTime.fromISO(iso, { zone });
  return bare ? dt.toISODate()! : dt.toFormat("yyyy-LL-dd'T'HH:mm:ss");
}

function paramsOf(type: ItemType, item: Json, zone: string): IntentParams {
  switch (type) {
    case 'todo':
      return {
        title: item.title,
        new_title: item.title,
        due_date: toLocal(item.due_date, zone, item.due_has_time === false),
        priority: item.priority,
        tags: item.tags,
        status: item.status,
      };
    case 'event':
      return {
        title: item.title,
        new_title: item.title,
        start_time: toLocal(item.start_time, zone, Boolean(item.is_all_day)),
        end_time: item.is_all_day ? undefined : toLocal(item.end_time, zone, false),
        is_all_day: Boolean(item.is_all_day),
        location: item.location ?? undefined,
        recurrence_rule: item.recurrence_rule ?? undefined,
        tags: item.tags,
      };
    case 'memo':
      return { title: item.title, new_title: item.title, content: item.content, tags: item.tags };
  }
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

export function createE2ERunner(server: TestServer, opts: E2EOptions) {
  const zone = opts.timezone;
  const concurrency = opts.concurrency ?? 8;
  const turnTimeoutMs = opts.turnTimeoutMs ?? 15_000;
  let ws: WsClient | null = null;

  async function call(method: string, path: string, body?: unknown): Promise<any> {
    const res = await server.request(method, path, body);
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res.json;
  }

  async function list(type: ItemType): Promise<Json[]> {
    return (await call('GET', `${ITEM_PATH[type]}${LIST_QUERY[type]}`)).items as Json[];
  }

  /** Deletes every todo, event and memo, so the next batch starts from an empty store. */
  async function wipe(): Promise<void> {
    for (const type of ['todo', 'event', 'memo'] as const) {
      for (;;) {
        const items = await list(type);
        if (items.length === 0) break;
        const ids = [...new Set(items.map((i) => i.id as string))];
        await Promise.all(ids.map((id) => server.request('DELETE', `${ITEM_PATH[type]}/${id}`)));
      }
    }
  }

  async function createSetup(c: LabelledCase, now: DateTime): Promise<{ type: ItemType; id: string } | null> {
    const s = c.setup;
    if (!s) return null;
    if (s.todo) {
      const body: Json = { title: s.todo.title };
      if (s.todo.due_local) body.due_date = localFromSpec(s.todo.due_local, now);
      return { type: 'todo', id: (await call('POST', '/api/todos', body)).id };
    }
    if (s.event) {
      const spec = s.event.start_local ?? { days: 1, time: '10:00' };
      const start = localFromSpec(spec, now);
      const body: Json = { title: s.event.title, start_time: start };
      if (spec.time) {
        const end = DateTime.fromISO(start).plus({ minutes: s.event.duration_minutes ?? 60 });
        body.end_time = end.toFormat("yyyy-LL-dd'T'HH:mm:ss");
      } else body.is_all_day = true;
      return { type: 'event', id: (await call('POST', '/api/events', body)).id };
    }
    if (s.memo) {
      const body: Json = { content: s.memo.content, ...(s.memo.title ? { title: s.memo.title } : {}) };
      return { type: 'memo', id: (await call('POST', '/api/memos', body)).id };
    }
    return null;
  }

  async function waitForTurn(conversationId: string, messageId: string): Promise<Json> {
    try {
      await ws!.waitForType('stream_end', (d) => d.message_id === messageId, turnTimeoutMs);
    } catch {
      // Fall through to the stored state: a turn that never ended is reported as such.
    }
    const conversation = await call('GET', `/api/chat/conversations/${conversationId}`);
    const reply = (conversation.messages as Json[]).find((m) => m.id === messageId);
    if (!reply) throw new Error(`reply ${messageId} not stored`);
    return reply;
  }

  /** One case: setup, send, wait, read back, judge. */
  async function runCase(c: LabelledCase): Promise<{ reasons: string[]; got: E2EOutcome }> {
    const nowDate = server.clock.now();
    const now = DateTime.fromJSDate(nowDate, { zone });
    const scenario: Scenario = { name: 'e2e', now: nowDate, timezone: zone };
    const setup = await createSetup(c, now);

    const sent = await call('POST', '/api/chat/send', { content: c.text });
    const conversationId = sent.conversation_id as string;
    const reply = await waitForTurn(conversationId, sent.message_id);
    const card = (reply.metadata?.card ?? null) as Json | null;
    const got: E2EOutcome = {
      intent: reply.intent ?? null,
      params: {},
      reply: reply.content,
      card: card?.card_type ?? null,
    };
    if (reply.status === 'streaming') return { reasons: ['the turn did not finish'], got };

    const intent = got.intent as Intent | null;
    const reasons: string[] = [];
    const type = intent ? TYPE_OF[intent] : undefined;

    if (intent && intent === c.intent) {
      if (intent.startsWith('create_') && type) {
        const mine = (await list(type)).filter((i) => i.conversation_id === conversationId);
        // A long list may not reach it (events come by start): the created card names it too.
        const carded = (card?.payload as Json | undefined)?.id;
        if (mine.length === 0 && card?.card_type === `${type}_created` && carded)
          mine.push(await call('GET', `${ITEM_PATH[type]}/${carded}`));
        const item = mine.sort((a, b) => (a.created_at < b.created_at ? 1 : -1))[0];
        if (item) got.params = paramsOf(type, item, zone);
        else reasons.push(`no ${type} was created`);
      } else if (type && setup) {
        if (type !== setup.type) reasons.push(`acted on a ${type}, the setup item is a ${setup.type}`);
        else if (intent.startsWith('delete_')) {
          const confirm = card?.card_type === 'confirm';
          const action = (card?.actions as Json[] | undefined)?.find((a) => a.action === 'confirm_delete');
          if (!confirm || action?.params?.id !== setup.id)
            reasons.push(
              `no confirm card for the setup ${setup.type} (card ${card?.card_type ?? 'none'}${
                action ? `, confirm_delete ${action.params?.id}` : ''
              })`,
            );
        } else {
          const item = await call('GET', `${ITEM_PATH[type]}/${setup.id}`);
          got.params = paramsOf(type, item, zone);
          if (intent === 'complete_todo') {
            if (item.status !== 'completed') reasons.push(`the setup todo is ${item.status}`);
          } else if (card?.card_type !== `${type}_updated` || (card.payload as Json)?.id !== setup.id) {
            reasons.push(`no ${type}_updated card for the setup ${type} (card ${card?.card_type ?? 'none'})`);
          }
        }
      } else if (intent === 'search') {
        const query = /\bfor "([^"]*)"/.exec(reply.content)?.[1];
        if (card?.card_type !== 'search_results' && query === undefined) reasons.push('no search results');
        got.params = { query: query ?? reply.content };
      } else if (intent === 'delegate_task') {
        const tasks = (await call('GET', '/api/agent-tasks?limit=100')).items as Json[];
        const task = tasks.find((t) => t.conversation_id === conversationId);
        if (task) got.params = { instruction: task.instruction, task_type: task.task_type };
        else reasons.push('no agent task was queued');
      }
    }
    if (reasons.length === 0)
      reasons.push(
        ...judge(c, { intent: (intent ?? 'none') as Intent, params: got.params }, scenario, {
          checkTarget: false,
        }),
      );
    return { reasons, got };
  }

  return {
    /** Scores `cases`; failures carry what the server did. */
    async run(cases: readonly LabelledCase[]): Promise<E2EReport> {
      ws ??= await connectWs(server);
      const started = performance.now();
      const results = new Map<LabelledCase, { reasons: string[]; got: E2EOutcome }>();
      if (opts.isolate === false) {
        for (const c of cases) results.set(c, await runCase(c));
        return report(cases, results, started);
      }
      const free = cases.filter((c) => !c.setup);
      const withSetup = cases.filter((c) => c.setup);
      await wipe();
      for (let i = 0; i < free.length; i += concurrency) {
        const batch = free.slice(i, i + concurrency);
        const out = await Promise.all(batch.map((c) => runCase(c)));
        batch.forEach((c, j) => results.set(c, out[j]!));
        await wipe();
      }
      for (const c of withSetup) {
        results.set(c, await runCase(c));
        await wipe();
      }
      return report(cases, results, started);
    },

    async close(): Promise<void> {
      await ws?.close();
      ws = null;
    },
  };
}

function report(
  cases: readonly LabelledCase[],
  results: Map<LabelledCase, { reasons: string[]; got: E2EOutcome }>,
  started: number,
): E2EReport {
  const byIntent = new Map<Intent, { total: number; right: number }>();
  const failures: E2EFailure[] = [];
  let right = 0;
  for (const c of cases) {
    const r = results.get(c)!;
    const row = byIntent.get(c.intent) ?? { total: 0, right: 0 };
    row.total += 1;
    if (r.reasons.length === 0) {
      row.right += 1;
      right += 1;
    } else failures.push({ case: c, ...r });
    byIntent.set(c.intent, row);
  }
  const msPerMessage = (performance.now() - started) / Math.max(1, cases.length);
  return { total: cases.length, right, byIntent, failures, msPerMessage };
}

/** The per-intent table (the unit eval's format; the speed line is wall time per case). */
export function formatE2EReport(name: string, report: E2EReport): string {
  return formatReport(name, { ...report, failures: [] }).replace(/ ms\/message$/, ' ms/case end to end');
}

/** The failures, one block each: the text, what was expected, what the server did. */
export function formatE2EFailures(report: E2EReport): string {
  return report.failures
    .map((f) =>
      [
        `  x ${JSON.stringify(f.case.text)}`,
        `    expected ${f.case.intent} ${JSON.stringify(f.case.expect)}`,
        `    got      ${f.got.intent} ${JSON.stringify(f.got.params)} card=${f.got.card ?? 'none'}`,
        `    reply    ${JSON.stringify(f.got.reply.slice(0, 160))}`,
        `    why      ${f.reasons.join('; ')}`,
      ].join('\n'),
    )
    .join('\n');
}

export const e2eAccuracy = (r: E2EReport): string => pct(accuracy(r));
