/**
 * The benchmark dataset, written straight into a SQLite file: the built server's own migrations
 * first (dist/, so the schema and the search triggers are exactly those of the server under
 * test; run `npm run build` before using this alone), then rows in the
 * column formats of src/db/schema.ts, inserted in big transactions. The search index is filled
 * by migration 0002's triggers as the rows go in, as it would be in real use.
 *
 * At scale 1: 100,000 todos, 20,000 events (10% recurring), 20,000 memos, 2,000 conversations
 * with 500,000 messages. Text comes from one shared vocabulary (a Zipf-like mix of everyday
 * words, a long tail of rarer words, about 10% of the text in Korean). Deterministic for a seed.
 *
 *   npx tsx bench/generate.ts --out=/tmp/bench.db [--scale=1] [--seed=42]
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import type { ConversationRow, EventRow, MemoRow, MessageRow, TodoRow } from '../src/db/schema.js';
import { newId } from '../src/lib/ids.js';
import { endOfLocalDay, nextLocalMidnight, startOfLocalDay } from '../src/lib/time.js';
import { validateSeries } from '../src/modules/events/recurrence.js';
import { PRIORITY_RANK } from '../src/modules/todos/todos.service.js';
import { createRandom, log, parseFlags, type Random } from './lib.js';

/** Bump when the generated data changes, so cached datasets are rebuilt. */
export const GENERATOR_VERSION = 4;
export const ZONE = 'Asia/Seoul';
const DIST = path.resolve(import.meta.dirname, '..', 'dist');

/** The built server's database code: the dataset gets exactly the schema the server under test expects. */
async function builtDatabase(): Promise<{
  createDatabase: typeof import('../src/db/database.js').createDatabase;
  migrations: typeof import('../src/db/migrations/index.js').migrations;
}> {
  const entry = path.join(DIST, 'db', 'database.js');
  if (!fs.existsSync(entry)) throw new Error('dist/ is missing: run `npm run build` first');
  const database = (await import(pathToFileURL(entry).href)) as typeof import('../src/db/database.js');
  const index = (await import(
    pathToFileURL(path.join(DIST, 'db', 'migrations', 'index.js')).href
  )) as typeof import('../src/db/migrations/index.js');
  return { createDatabase: database.createDatabase, migrations: index.migrations };
}

/** The migrations the built server runs, in order. */
export async function builtMigrations(): Promise<string[]> {
  return Object.keys((await builtDatabase()).migrations('sqlite'));
}

export interface Manifest {
  version: number;
  scale: number;
  seed: number;
  generatedAt: string;
  /** The migrations the file was created with (a cached file is rebuilt when they change). */
  migrations: string[];
  seconds: number;
  bytes: number;
  counts: {
    todos: number;
    events: number;
    recurring: number;
    memos: number;
    conversations: number;
    messages: number;
  };
  shape: { overdueOpenTodos: number; inProgressUndatedTodos: number; openEndedRecurringEvents: number };
  /** Search terms and how many documents contain them. */
  words: { common: WordStat; rare: WordStat; korean: WordStat };
  /** Ids the load generators pick from. */
  sample: { todoIds: string[]; conversationIds: string[] };
}

export interface WordStat {
  word: string;
  documents: number;
}

// ---------------------------------------------------------------------------------------------
// Text

const FUNCTION_WORDS =
  'the a to and of for with in on at is it this that I you we can will please need should my our from by about after before just also'.split(
    ' ',
  );

/** Everyday content words, most frequent first (their order sets their Zipf rank). */
const CONTENT_WORDS = (
  'meeting call email report project review team plan schedule today tomorrow week lunch dinner ' +
  'groceries budget invoice doctor dentist appointment gym workout run flight hotel trip ticket ' +
  'presentation slides draft document notes summary deadline client customer contract proposal ' +
  'update status feedback question answer idea list book read write send check buy pay order ' +
  'call back follow up remind friday monday tuesday wednesday thursday saturday sunday morning ' +
  'evening afternoon night birthday party gift family mom dad kids school homework pickup ' +
  'laundry cleaning kitchen garden car repair insurance tax bank transfer rent bill electricity ' +
  'internet phone laptop backup password server deploy release bug fix test code design ' +
  'interview hiring onboarding training workshop conference talk paper research data model ' +
  'analysis chart metrics dashboard quarterly goals roadmap milestone sprint retro standup ' +
  'coffee tea breakfast recipe pasta salad soup bread milk eggs cheese fruit vegetables ' +
  'movie music concert podcast article news weather rain umbrella jacket shoes shopping ' +
  'package delivery return refund subscription renewal license visa passport embassy ' +
  'vacation beach mountain hiking camping bike train bus taxi airport station parking ' +
  'health vitamins medicine pharmacy prescription sleep meditation yoga stretch walk ' +
  'friend neighbor colleague manager partner wedding anniversary dinner reservation restaurant ' +
  'apartment lease furniture paint plumber electrician moving boxes storage donate sell ' +
  'language lesson practice guitar piano drawing photo album print frame calendar agenda ' +
  'priority urgent important later soon quick short long detail topic option decision'
).split(' ');

const KOREAN_WORDS = (
  '회의 보고서 프로젝트 점심 저녁 내일 오늘 다음주 일정 확인 준비 정리 이메일 전화 약속 ' +
  '병원 치과 운동 헬스장 장보기 우유 계란 빵 커피 생일 선물 가족 엄마 아빠 친구 동료 ' +
  '출장 비행기 호텔 기차 여행 휴가 예약 결제 송금 월세 공과금 보험 세금 은행 ' +
  '발표 자료 초안 문서 메모 요약 마감 고객 계약서 제안서 피드백 질문 아이디어 ' +
  '세탁 청소 설거지 정원 자동차 수리 택배 반품 환불 구독 갱신 여권 비자 ' +
  '공부 숙제 학교 수업 연습 기타 피아노 사진 영화 음악 공연 뉴스 날씨 우산'
)
  .split(/\s+/)
  .filter(Boolean);
const KOREAN_PARTICLES = ['', '', '', '를', '을', '는', '은', '에', '도', '이', '가', '하기', '하고'];

const TAGS = [
  'work',
  'home',
  'errands',
  'health',
  'finance',
  'family',
  'travel',
  'shopping',
  'study',
  'ideas',
  'urgent',
  'weekly',
  'reading',
  'car',
  'kids',
  '가족',
  '업무',
  '건강',
];
const LOCATIONS = [
  'Office',
  'Home',
  'Cafe on Main St',
  'Gangnam Station',
  'City Hospital',
  'Gym',
  'Zoom',
  'Google Meet',
  'Conference room B',
  '강남역',
  '회의실 3',
  'Airport',
  'Library',
];

/** The rare search term: planted in exactly this many documents, found nowhere else. */
const RARE_WORD = 'quillfeather';
const RARE_DOCS = 12;
/** The Korean search term (three syllables, so the trigram index serves it). */
const KOREAN_WORD = '보고서';

function syllableTail(rand: Random, count: number): string[] {
  const onsets = [
    'b',
    'c',
    'd',
    'f',
    'g',
    'k',
    'l',
    'm',
    'n',
    'p',
    'r',
    's',
    't',
    'v',
    'z',
    'br',
    'st',
    'tr',
    'pl',
    'gr',
  ];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ea'];
  const out = new Set<string>();
  while (out.size < count) {
    const n = rand.int(2, 4);
    let w = '';
    for (let i = 0; i < n; i++) w += rand.pick(onsets) + rand.pick(vowels);
    if (rand.chance(0.5)) w += rand.pick(['n', 'r', 'l', 's', 'x', 'm']);
    if (w !== RARE_WORD) out.add(w);
  }
  return [...out];
}

function createTextSource(rand: Random) {
  // Zipf weights (exponent 1) over the content words, as a cumulative table.
  const cumulative: number[] = [];
  let total = 0;
  for (let r = 1; r <= CONTENT_WORDS.length; r++) {
    total += 1 / r;
    cumulative.push(total);
  }
  const tail = syllableTail(rand, 20_000);
  const contentWord = (): string => {
    const x = rand.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return CONTENT_WORDS[lo]!;
  };

  function englishSentence(words: number): string {
    const out: string[] = [];
    for (let i = 0; i < words; i++) {
      const x = rand.next();
      if (x < 0.35) out.push(rand.pick(FUNCTION_WORDS));
      else if (x < 0.93) out.push(contentWord());
      else if (x < 0.98) out.push(rand.pick(tail));
      else out.push(String(rand.int(1, 500)));
    }
    const s = out.join(' ');
    return s.charAt(0).toUpperCase() + s.slice(1) + rand.pick(['.', '.', '.', '?', '!']);
  }

  function koreanSentence(words: number): string {
    const out: string[] = [];
    for (let i = 0; i < words; i++) {
      if (rand.chance(0.12)) out.push(contentWord());
      else out.push(rand.pick(KOREAN_WORDS) + rand.pick(KOREAN_PARTICLES));
    }
    return out.join(' ') + rand.pick(['.', '.', '?', '요.', '!']);
  }

  return {
    /** About `words` words in sentences; about 10% of texts are Korean. */
    text(words: number, korean = rand.chance(0.1)): string {
      const sentences: string[] = [];
      let left = Math.max(1, words);
      while (left > 0) {
        const n = Math.min(left, rand.int(4, 14));
        sentences.push(korean ? koreanSentence(n) : englishSentence(n));
        left -= n;
      }
      return sentences.join(' ');
    },
    /** A short title (3-8 words), no final punctuation. */
    title(korean = rand.chance(0.1)): string {
      return this.text(rand.int(3, 8), korean)
        .replace(/[.?!]+$/u, '')
        .replace(/[.?!]\s/gu, ' ');
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Rows

const DAY = 86_400_000;

function tagsJson(rand: Random): string {
  const n = rand.chance(0.45) ? 0 : rand.int(1, 3);
  const tags = new Set<string>();
  while (tags.size < n) tags.add(rand.pick(TAGS));
  return JSON.stringify([...tags]);
}

/** Message counts per conversation: skewed (a few long ones, many short), summing to `total`. */
function conversationSizes(rand: Random, conversations: number, total: number): number[] {
  const weights = Array.from({ length: conversations }, () => Math.exp(rand.next() * 4.5));
  const sum = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(2, Math.floor((w / sum) * total)));
  let diff = total - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; diff !== 0; i = (i + 1) % conversations) {
    if (diff > 0) {
      sizes[i]! += 1;
      diff -= 1;
    } else if (sizes[i]! > 2) {
      sizes[i]! -= 1;
      diff += 1;
    }
  }
  return sizes;
}

/**
 * Recurrence rules as a calendar user writes them, with their weights: mostly weekly meetings
 * and yearly birthdays, a third of the series bounded by COUNT, few open-ended daily ones.
 * Each is canonicalised once by the server's own code.
 */
const RULES: [rule: string, weight: number][] = [
  ['FREQ=WEEKLY;BYDAY=TU', 20],
  ['FREQ=WEEKLY;BYDAY=TU;COUNT=12', 10],
  ['FREQ=WEEKLY;BYDAY=MO,WE,FR', 6],
  ['FREQ=WEEKLY;INTERVAL=2;BYDAY=TH', 10],
  ['FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=8', 5],
  ['FREQ=MONTHLY;BYMONTHDAY=15', 10],
  ['FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6', 5],
  ['FREQ=MONTHLY;BYDAY=1MO', 8],
  ['FREQ=YEARLY', 20],
  ['FREQ=DAILY;COUNT=30', 5],
  ['FREQ=DAILY', 1],
];

/**
 * The densest rule the server accepts (more than once a minute is a 422): every minute, 1,440
 * occurrences a day. One such series, with a reminder, is in every dataset, so the event-loop
 * measurement (bench/loop.ts) runs with the worst accepted input present.
 */
export const DENSEST_RULE = `FREQ=HOURLY;BYMINUTE=${Array.from({ length: 60 }, (_, m) => m).join(',')}`;

function pickRule(rand: Random, allDay: boolean): string {
  const usable = allDay ? RULES.filter(([r]) => !r.includes('DAILY')) : RULES;
  let x = rand.next() * usable.reduce((sum, [, w]) => sum + w, 0);
  for (const [rule, weight] of usable) if ((x -= weight) < 0) return rule;
  return usable[0]![0];
}

export interface GenerateOptions {
  file: string;
  scale?: number;
  seed?: number;
  now?: Date;
}

export async function generateDataset(opts: GenerateOptions): Promise<Manifest> {
  const scale = opts.scale ?? 1;
  const seed = opts.seed ?? 42;
  const now = opts.now ?? new Date();
  const started = Date.now();
  const rand = createRandom(seed);
  const text = createTextSource(rand);
  const n = {
    todos: Math.round(100_000 * scale),
    events: Math.round(20_000 * scale),
    memos: Math.round(20_000 * scale),
    conversations: Math.max(2, Math.round(2_000 * scale)),
    messages: Math.round(500_000 * scale),
  };

  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(opts.file + suffix, { force: true });
  fs.mkdirSync(path.dirname(opts.file), { recursive: true });

  // 1. The server's migrations, through its own (built) code.
  const built = await builtDatabase();
  const migrated = await built.createDatabase({ kind: 'sqlite', file: opts.file });
  await migrated.close();
  const migrations = Object.keys(built.migrations('sqlite'));

  // 2. Rows, through a plain connection tuned for a bulk load (nothing else uses the file yet).
  const db = new SQLite(opts.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = ON');
  db.pragma('cache_size = -262144'); // 256 MiB

  const insertAll = <T extends object>(table: string, rows: T[]) => {
    const first = rows[0];
    if (!first) return;
    const cols = Object.keys(first);
    const stmt = db.prepare(
      `insert into ${table} (${cols.join(', ')}) values (${cols.map((c) => `@${c}`).join(', ')})`,
    );
    db.transaction((batch: T[]) => {
      for (const row of batch) stmt.run(row);
    })(rows);
  };

  // Document frequency of content words (and the two planted terms), to choose the search terms.
  const df = new Map<string, number>();
  const countDoc = (...parts: (string | null)[]) => {
    const seen = new Set<string>();
    for (const part of parts) {
      if (!part) continue;
      for (const w of part.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (w) seen.add(w);
    }
    for (const w of seen) df.set(w, (df.get(w) ?? 0) + 1);
  };
  // Which documents get the rare word: spread over every type.
  const totalDocs = n.todos + n.events + n.memos + n.messages;
  const rareAt = new Set<number>();
  while (rareAt.size < Math.min(RARE_DOCS, totalDocs)) rareAt.add(rand.int(0, totalDocs - 1));
  let docIndex = 0;
  const maybeRare = (s: string): string => (rareAt.has(docIndex++) ? `${s} ${RARE_WORD}` : s);

  const randomInstant = (fromDaysAgo: number, toDaysAhead: number): Date =>
    new Date(now.getTime() + Math.floor((rand.next() * (fromDaysAgo + toDaysAhead) - fromDaysAgo) * DAY));
  const iso = (d: Date | number) => new Date(d).toISOString();

  // Conversations and their messages (first: items link to them).
  const sizes = conversationSizes(rand, n.conversations, n.messages);
  const conversationIds: string[] = [];
  const links: { conversation_id: string; message_id: string }[] = [];
  const BATCH = 20_000;
  let messageBatch: MessageRow[] = [];
  const conversations: ConversationRow[] = [];
  for (let c = 0; c < n.conversations; c++) {
    const id = newId('conv');
    conversationIds.push(id);
    const size = sizes[c]!;
    const start = now.getTime() - rand.int(1, 730) * DAY + rand.int(0, DAY - 1);
    const available = Math.max(60_000, now.getTime() - 60_000 - start);
    // Gaps: mostly seconds to minutes inside a session, sometimes hours or days between sessions.
    const gaps = Array.from({ length: size }, () =>
      rand.chance(0.05) ? rand.int(3_600_000, 5 * DAY) : rand.int(5_000, 600_000),
    );
    const span = gaps.reduce((a, b) => a + b, 0);
    const squeeze = span > available ? available / span : 1;
    const korean = rand.chance(0.1);
    const times: number[] = [];
    let t = start;
    for (const gap of gaps) times.push((t += Math.max(1, Math.floor(gap * squeeze))));
    const firstText = text.text(rand.int(4, 25), korean ? rand.chance(0.8) : rand.chance(0.03));
    const title = firstText
      .split(/\s+/)
      .slice(0, 6)
      .join(' ')
      .replace(/[.?!]+$/u, '');
    conversations.push({
      id,
      title,
      is_archived: rand.chance(0.1) ? 1 : 0,
      created_at: iso(start),
      updated_at: iso(times.at(-1)!),
    });
    for (let m = 0; m < size; m++) {
      const user = m % 2 === 0;
      const content = maybeRare(
        m === 0
          ? firstText
          : text.text(
              user ? rand.int(4, 25) : rand.int(15, 80),
              korean ? rand.chance(0.8) : rand.chance(0.03),
            ),
      );
      countDoc(content);
      const row: MessageRow = {
        id: newId('msg'),
        conversation_id: id,
        role: user ? 'user' : 'assistant',
        content,
        message_type: 'text',
        status: 'complete',
        intent: user ? null : 'general_chat',
        metadata: null,
        created_at: iso(times[m]!),
      };
      if (user && links.length < 5_000 && rand.chance(0.02))
        links.push({ conversation_id: id, message_id: row.id });
      messageBatch.push(row);
      if (messageBatch.length >= BATCH) {
        // Conversations first: their messages reference them.
        insertAll('conversations', conversations.splice(0));
        insertAll('messages', messageBatch);
        messageBatch = [];
      }
    }
  }
  insertAll('conversations', conversations.splice(0));
  insertAll('messages', messageBatch);
  log(
    `generate: ${n.conversations} conversations, ${n.messages} messages (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );

  const link = (): { conversation_id: string | null; message_id: string | null } =>
    links.length > 0 && rand.chance(0.05) ? rand.pick(links) : { conversation_id: null, message_id: null };

  // Todos: created over two years, most with a due date; past ones mostly done (3% left open:
  // about 2,000 overdue at scale 1).
  const todoIds: string[] = [];
  let todos: TodoRow[] = [];
  for (let i = 0; i < n.todos; i++) {
    const created = randomInstant(730, 0);
    const korean = rand.chance(0.1);
    const title = maybeRare(text.title(korean));
    const description = rand.chance(0.6) ? text.text(rand.int(8, 40), korean) : null;
    let due: string | null = null;
    let hasTime = 0;
    if (rand.chance(0.7)) {
      const at = new Date(created.getTime() + rand.int(-2, 60) * DAY + rand.int(0, DAY));
      if (rand.chance(0.5)) due = endOfLocalDay(at, ZONE).toISOString();
      else {
        due = iso(Math.floor(at.getTime() / 900_000) * 900_000);
        hasTime = 1;
      }
    }
    const past = (due ?? iso(created.getTime() + 14 * DAY)) < iso(now);
    const roll = rand.next();
    const status = past
      ? roll < 0.9
        ? 'completed'
        : roll < 0.97
          ? 'cancelled'
          : roll < 0.99
            ? 'pending'
            : 'in_progress'
      : roll < 0.15
        ? 'completed'
        : roll < 0.8
          ? 'pending'
          : roll < 0.97
            ? 'in_progress'
            : 'cancelled';
    const pr = rand.next();
    const priority = pr < 0.25 ? 'low' : pr < 0.75 ? 'medium' : pr < 0.95 ? 'high' : 'urgent';
    const updated = Math.min(now.getTime(), created.getTime() + rand.int(0, 30) * DAY);
    const row: TodoRow = {
      id: newId('todo'),
      title,
      description,
      status,
      priority,
      priority_rank: PRIORITY_RANK[priority]!,
      due_date: due,
      due_has_time: hasTime,
      completed_at: status === 'completed' ? iso(updated) : null,
      tags: tagsJson(rand),
      ...link(),
      created_at: iso(created),
      updated_at: iso(updated),
      parent_id: null,
      sort_order: 0,
    };
    countDoc(row.title, row.description, row.tags);
    if (todoIds.length < 2_000 && rand.chance(0.05)) todoIds.push(row.id);
    todos.push(row);
    if (todos.length >= BATCH) {
      insertAll('todos', todos);
      todos = [];
    }
  }
  insertAll('todos', todos);

  // Events: a year back, half a year ahead; 10% recurring, 10% all-day.
  const canonical = new Map<string, string>();
  let recurring = 0;
  let events: Omit<EventRow, 'span_ms'>[] = [];
  for (let i = 0; i < n.events; i++) {
    const korean = rand.chance(0.1);
    let allDay = rand.chance(0.1);
    let start = randomInstant(365, 180);
    start = allDay
      ? startOfLocalDay(start, ZONE)
      : new Date(Math.floor(start.getTime() / 1_800_000) * 1_800_000);
    let end = allDay
      ? nextLocalMidnight(new Date(start.getTime() + rand.int(0, 2) * DAY), ZONE)
      : rand.chance(0.15)
        ? null
        : new Date(start.getTime() + rand.pick([30, 45, 60, 60, 90, 120]) * 60_000);
    let rule: string | null = null;
    if (i === 0) {
      // The densest accepted series, started a month ago (see DENSEST_RULE).
      allDay = false;
      start = new Date(Math.floor((now.getTime() - 30 * DAY) / 3_600_000) * 3_600_000);
      end = null;
      rule = validateSeries({ rule: DENSEST_RULE, start, end, isAllDay: false, timezone: ZONE });
      recurring += 1;
    } else if (rand.chance(0.1)) {
      const raw = pickRule(rand, allDay);
      const key = `${raw}|${allDay}`;
      if (!canonical.has(key))
        canonical.set(key, validateSeries({ rule: raw, start, end, isAllDay: allDay, timezone: ZONE }));
      rule = canonical.get(key)!;
      recurring += 1;
    }
    const created = new Date(Math.min(now.getTime(), start.getTime() - rand.int(0, 30) * DAY));
    const row: Omit<EventRow, 'span_ms'> = {
      id: newId('evt'),
      title: maybeRare(text.title(korean)),
      description: rand.chance(0.4) ? text.text(rand.int(6, 30), korean) : null,
      start_time: iso(start),
      end_time: end === null ? null : iso(end),
      location: rand.chance(0.5) ? rand.pick(LOCATIONS) : null,
      is_all_day: allDay ? 1 : 0,
      reminder_minutes: rand.pick([null, null, 10, 15, 30, 60, 1440]),
      recurrence_rule: rule,
      recurrence_end: null,
      recurrence_exceptions: '[]',
      timezone: ZONE,
      tags: tagsJson(rand),
      ...link(),
      created_at: iso(created),
      updated_at: iso(created),
    };
    if (i === 0) row.reminder_minutes = 10;
    countDoc(row.title, row.description, row.location);
    events.push(row);
    if (events.length >= BATCH) {
      insertAll('events', events);
      events = [];
    }
  }
  insertAll('events', events);

  // Memos.
  let memos: MemoRow[] = [];
  for (let i = 0; i < n.memos; i++) {
    const korean = rand.chance(0.1);
    const content = maybeRare(text.text(rand.int(10, 200), korean));
    const created = randomInstant(730, 0);
    const updated = Math.min(now.getTime(), created.getTime() + rand.int(0, 60) * DAY);
    const row: MemoRow = {
      id: newId('memo'),
      title: content.split('\n')[0]!.slice(0, 80),
      content,
      tags: tagsJson(rand),
      ...link(),
      created_at: iso(created),
      updated_at: iso(updated),
    };
    countDoc(row.title, row.content, row.tags);
    memos.push(row);
    if (memos.length >= BATCH) {
      insertAll('memos', memos);
      memos = [];
    }
  }
  insertAll('memos', memos);

  // What "today" holds in this dataset (the today view and every chat turn's prompt read it).
  const nowIso = now.toISOString();
  const count = (q: string, ...args: unknown[]) => (db.prepare(q).get(...args) as { n: number }).n;
  const shape = {
    overdueOpenTodos: count(
      `select count(*) n from todos where status in ('pending', 'in_progress') and due_date < ?`,
      nowIso,
    ),
    inProgressUndatedTodos: count(
      `select count(*) n from todos where status = 'in_progress' and due_date is null`,
    ),
    openEndedRecurringEvents: count(
      `select count(*) n from events where recurrence_rule is not null and recurrence_rule not like '%COUNT=%'`,
    ),
  };
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();

  // The common term: the content word found in closest to 5% of all documents.
  const target = totalDocs * 0.05;
  let common: WordStat = { word: CONTENT_WORDS[0]!, documents: df.get(CONTENT_WORDS[0]!) ?? 0 };
  for (const word of CONTENT_WORDS) {
    const d = df.get(word) ?? 0;
    if (Math.abs(d - target) < Math.abs(common.documents - target)) common = { word, documents: d };
  }
  const koreanDocs = [...df].filter(([w]) => w.includes(KOREAN_WORD)).reduce((s, [, d]) => s + d, 0);

  const seconds = (Date.now() - started) / 1000;
  const manifest: Manifest = {
    version: GENERATOR_VERSION,
    scale,
    seed,
    generatedAt: now.toISOString(),
    migrations,
    seconds,
    bytes: fs.statSync(opts.file).size,
    counts: { ...n, recurring },
    shape,
    words: {
      common,
      rare: { word: RARE_WORD, documents: df.get(RARE_WORD) ?? 0 },
      // Upper bound: a document with the word under two particles counts twice.
      korean: { word: KOREAN_WORD, documents: koreanDocs },
    },
    sample: { todoIds, conversationIds: conversationIds.slice(0, 1_200) },
  };
  fs.writeFileSync(manifestPath(opts.file), JSON.stringify(manifest, null, 2));
  log(`generate: done in ${seconds.toFixed(1)} s, ${(manifest.bytes / 1_048_576).toFixed(0)} MiB`);
  return manifest;
}

export const manifestPath = (file: string) => `${file}.manifest.json`;

/**
 * The manifest of a dataset file if it is there, of this generator version and scale, made with
 * the built server's migrations, and recent (its dates are relative to when it was made).
 */
export async function readCachedManifest(
  file: string,
  scale: number,
  maxAgeDays = 7,
): Promise<Manifest | null> {
  try {
    const m = JSON.parse(fs.readFileSync(manifestPath(file), 'utf8')) as Manifest;
    const fresh = Date.now() - Date.parse(m.generatedAt) < maxAgeDays * DAY;
    const sameSchema = JSON.stringify(m.migrations) === JSON.stringify(await builtMigrations());
    return m.version === GENERATOR_VERSION && m.scale === scale && fresh && sameSchema && fs.existsSync(file)
      ? m
      : null;
  } catch {
    return null;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const flags = parseFlags(process.argv.slice(2));
  const out = flags.get('out');
  if (typeof out !== 'string') {
    console.error('usage: tsx bench/generate.ts --out=<file.db> [--scale=1] [--seed=42]');
    process.exit(2);
  }
  generateDataset({
    file: path.resolve(out),
    scale: Number(flags.get('scale') ?? 1),
    seed: Number(flags.get('seed') ?? 42),
  }).then(
    (m) => console.log(JSON.stringify({ ...m, sample: undefined }, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
