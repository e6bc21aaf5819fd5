import { Type, type Static } from '@sinclair/typebox';
import { Nullable, StringEnum, Timestamp } from '../common/schemas.js';

const Count = Type.Integer({ minimum: 0 });

export const Overview = Type.Object({
  version: Type.String(),
  started_at: Timestamp,
  uptime_seconds: Count,
  database: Type.Object({
    kind: StringEnum(['sqlite', 'postgres'] as const),
    size_bytes: Type.Integer({
      description: 'SQLite: pages plus the write-ahead log; PostgreSQL: pg_database_size',
    }),
  }),
  counts: Type.Object({
    todos: Count,
    events: Count,
    memos: Count,
    conversations: Count,
    messages: Count,
    agent_tasks: Count,
  }),
  ai: Type.Object({
    provider: StringEnum(['ollama', 'openai', 'none'] as const),
    model: Type.String(),
    reachable: Nullable(Type.Boolean({ description: 'The cached probe; null without a provider' })),
  }),
  scheduler: Type.Object({
    enabled: Type.Boolean({ description: 'ENABLE_SCHEDULER' }),
    running: Type.Boolean({ description: 'This instance runs the timers' }),
    timezone: Type.String(),
    briefing_enabled: Type.Boolean(),
    next_briefing_at: Nullable(Timestamp),
    next_briefing_local: Nullable(Type.String({ description: "YYYY-MM-DD HH:MM in the owner's zone" })),
    last_tick_at: Nullable(Timestamp),
    jobs: Type.Array(Type.Object({ name: Type.String(), last_run_at: Timestamp })),
  }),
});

export const AiInfo = Type.Object({
  provider: StringEnum(['ollama', 'openai', 'none'] as const),
  base_url: Type.String({ description: 'Without credentials or query parameters' }),
  model: Type.String(),
  api_key_set: Type.Boolean(),
  timeout_seconds: Type.Integer(),
  reachable: Nullable(Type.Boolean()),
});

export const AiTestResult = Type.Object({
  ok: Type.Boolean(),
  provider: StringEnum(['ollama', 'openai', 'none'] as const),
  model: Type.String(),
  latency_ms: Nullable(Type.Integer({ minimum: 0 })),
  reply: Nullable(Type.String({ description: 'The first words of the answer' })),
  error: Nullable(Type.String()),
});

export const ActivityItem = Type.Object({
  id: Type.Integer(),
  kind: Type.String({ description: 'login, login_failed, session_revoked, job, job_failed, error, admin' }),
  message: Type.String(),
  detail: Nullable(Type.Record(Type.String(), Type.Unknown())),
  created_at: Timestamp,
});
export const ActivityList = Type.Object({ items: Type.Array(ActivityItem) });

export const SessionItem = Type.Object({
  id: Type.String(),
  label: Type.String({ description: 'A short name for the device, from its User-Agent' }),
  user_agent: Nullable(Type.String()),
  created_at: Timestamp,
  last_used_at: Timestamp,
  open_sockets: Count,
  current: Type.Boolean({ description: 'The session of this request' }),
});
export const SessionList = Type.Object({ items: Type.Array(SessionItem) });

export const Disconnected = Type.Object({
  session_id: Type.String(),
  revoked: Type.Literal(true),
  closed_sockets: Count,
});

const ConfigValue = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);
export const ConfigView = Type.Object({
  config: Type.Record(Type.String(), ConfigValue, {
    description: 'By environment variable; secrets read "[redacted]"',
  }),
  redacted: Type.Array(Type.String(), { description: 'Variables whose value (or part of it) was hidden' }),
});

export const DataView = Type.Object({
  database: StringEnum(['sqlite', 'postgres'] as const),
  size_bytes: Type.Integer(),
  tables: Type.Array(
    Type.Object({
      table: Type.String(),
      rows: Count,
      bytes: Nullable(Type.Integer({ description: 'Table and indexes; null when the database cannot tell' })),
    }),
  ),
  attachments: Type.Object({
    available: Type.Boolean({ description: 'False when this deployment has no attachments table' }),
    count: Count,
    total_bytes: Count,
  }),
});

export const BackupResult = Type.Object({
  file: Type.String({ description: 'File name under DATA_DIR/backups' }),
  size_bytes: Count,
  created_at: Timestamp,
});

export const ReindexResult = Type.Object({ documents: Count, duration_ms: Count });

export const PurgeBody = Type.Object({
  target: StringEnum(['conversations', 'messages', 'todos'] as const),
  older_than_days: Type.Integer({ minimum: 1, maximum: 36_500 }),
});
export type PurgeBody = Static<typeof PurgeBody>;

export const PurgeResult = Type.Object({
  target: Type.String(),
  deleted: Count,
  cutoff: Timestamp,
});
