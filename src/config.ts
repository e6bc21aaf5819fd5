/**
 * The one place the environment is read. Every variable of BEHAVIOUR.md "Configuration" is
 * parsed here once; a bad value stops start-up with a message naming the variable.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export type AiProvider = 'ollama' | 'openai' | 'none';

export interface Config {
  nodeEnv: string;
  host: string;
  port: number;
  logLevel: string;
  dataDir: string;
  /**
   * Which proxies may say who the client is (TRUST_PROXY): false, a hop count (how many
   * proxies append to X-Forwarded-For in front of us), or their addresses/CIDRs.
   */
  trustProxy: false | number | string[];
  bodyLimitBytes: number;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  redisUrl: string | null;
  /** Prefix of every Redis key and channel (REDIS_KEY_PREFIX): deployments sharing one Redis stay apart. */
  redisKeyPrefix: string;
  jwtSecret: string | null;
  jwtExpiryHours: number;
  pin: string | null;
  timezone: string;
  ai: {
    provider: AiProvider;
    baseUrl: string;
    apiKey: string | null;
    model: string;
    shareContext: boolean;
    systemPrompt: string | null;
    timeoutSeconds: number;
    /** Obvious commands are read offline without asking the LLM (AI_FAST_PATH, default on). */
    fastPath: boolean;
  };
  enableScheduler: boolean;
  enableBriefing: boolean;
  briefingTime: string;
  reminderCheckIntervalSeconds: number;
  agentConcurrency: number;
  rateLimitPerMinute: number;
  loginMaxFailures: number;
  loginLockoutMinutes: number;
  /** Failures from all addresses together within the lockout window before everyone is refused. */
  loginGlobalMaxFailures: number;
  corsOrigins: string[] | '*';
  expoAccessToken: string | null;
  expoBaseUrl: string | null;
  /** Largest accepted attachment (MAX_UPLOAD_SIZE_MB), in bytes. */
  maxUploadBytes: number;
  /** Largest `POST /api/import` body (IMPORT_LIMIT_MB), in bytes: an export with its files inline. */
  importLimitBytes: number;
  /** Where attachment files live (ATTACHMENTS_DIR, default DATA_DIR/attachments); shared storage when scaled out. */
  attachmentsDir: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | null {
  const v = env[name];
  return v === undefined || v.trim() === '' ? null : v.trim();
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === null) return def;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = str(env, name);
  if (raw === null) return def;
  const v = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

export function isValidTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function isValidHhMm(value: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(value);
}

function parseDatabaseUrl(raw: string, cwd: string): Config['database'] {
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) return { kind: 'postgres', url: raw };
  if (raw.startsWith('sqlite:////')) return { kind: 'sqlite', file: raw.slice('sqlite:///'.length) };
  if (raw.startsWith('sqlite:///'))
    return { kind: 'sqlite', file: path.resolve(cwd, raw.slice('sqlite:///'.length)) };
  throw new ConfigError('DATABASE_URL', `must start with sqlite:/// or postgres://, got "${raw}"`);
}

function parseUrl(name: string, raw: string): string {
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    return raw.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
}

/** Parses the environment (plus `.env` in `cwd`, which never overrides a set variable). */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const merged: Env = { ...readDotEnv(cwd), ...env };
  return parseConfig(merged, cwd);
}

function readDotEnv(cwd: string): Env {
  const file = path.join(cwd, '.env');
  if (!fs.existsSync(file)) return {};
  const out: Env = {};
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (!m || line.trim().startsWith('#')) continue;
    let value = m[2] ?? '';
    const quoted = /^(['"])(.*?)\1\s*(?:#.*)?$/.exec(value);
    if (quoted) value = quoted[2] ?? '';
    else value = value.replace(/\s+#.*$/, '');
    out[m[1]!] = value;
  }
  return out;
}

export function parseConfig(env: Env, cwd = process.cwd()): Config {
  const nodeEnv = str(env, 'NODE_ENV') ?? 'development';
  const dataDir = path.resolve(cwd, str(env, 'DATA_DIR') ?? './data');
  const database = str(env, 'DATABASE_URL')
    ? parseDatabaseUrl(str(env, 'DATABASE_URL')!, cwd)
    : ({ kind: 'sqlite', file: path.join(dataDir, 'clawchat.db') } as const);

  const redisUrl = str(env, 'REDIS_URL');
  if (redisUrl !== null) {
    if (!/^rediss?:\/\//.test(redisUrl))
      throw new ConfigError('REDIS_URL', `must start with redis://, got "${redisUrl}"`);
    if (database.kind !== 'postgres')
      throw new ConfigError(
        'REDIS_URL',
        'requires DATABASE_URL=postgres://... (several instances cannot share SQLite)',
      );
  }

  const timezone = str(env, 'TIMEZONE') ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  if (!isValidTimezone(timezone))
    throw new ConfigError('TIMEZONE', `must be an IANA zone such as Asia/Seoul, got "${timezone}"`);

  const providerRaw = (str(env, 'AI_PROVIDER') ?? 'ollama').toLowerCase();
  if (providerRaw !== 'ollama' && providerRaw !== 'openai' && providerRaw !== 'none')
    throw new ConfigError('AI_PROVIDER', `must be ollama, openai or none, got "${providerRaw}"`);
  const provider: AiProvider = providerRaw;
  const model = str(env, 'AI_MODEL') ?? (provider === 'openai' ? null : 'llama3.2');
  if (model === null) throw new ConfigError('AI_MODEL', 'is required when AI_PROVIDER=openai');
  const baseUrl = parseUrl(
    'AI_BASE_URL',
    str(env, 'AI_BASE_URL') ?? (provider === 'openai' ? 'https://api.openai.com' : 'http://localhost:11434'),
  );

  const briefingTime = str(env, 'BRIEFING_TIME') ?? '08:00';
  if (!isValidHhMm(briefingTime))
    throw new ConfigError('BRIEFING_TIME', `must be HH:MM (24h), got "${briefingTime}"`);

  const pin = str(env, 'PIN');
  if (pin !== null && !/^\d{4,12}$/.test(pin)) throw new ConfigError('PIN', 'must be 4 to 12 digits');

  const jwtSecret = str(env, 'JWT_SECRET');
  if (nodeEnv === 'production') {
    if (jwtSecret === null || /change[-_ ]?me|example|secret$/i.test(jwtSecret) || jwtSecret.length < 32)
      throw new ConfigError(
        'JWT_SECRET',
        'must be set to a random value of at least 32 characters in production',
      );
    if (pin === null) throw new ConfigError('PIN', 'must be set in production');
  }

  const cors = str(env, 'CORS_ORIGINS');
  const expoBase = str(env, 'EXPO_BASE_URL');

  return {
    nodeEnv,
    host: str(env, 'HOST') ?? '0.0.0.0',
    port: int(env, 'PORT', 8000, 0, 65535),
    logLevel: parseLogLevel((str(env, 'LOG_LEVEL') ?? 'info').toLowerCase()),
    dataDir,
    trustProxy: parseTrustProxy(str(env, 'TRUST_PROXY')),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 100 * 1_048_576),
    database,
    redisUrl,
    redisKeyPrefix: str(env, 'REDIS_KEY_PREFIX') ?? 'clawchat:',
    jwtSecret,
    jwtExpiryHours: int(env, 'JWT_EXPIRY_HOURS', 24, 1, 24 * 365),
    pin,
    timezone,
    ai: {
      provider,
      baseUrl,
      apiKey: str(env, 'AI_API_KEY'),
      model,
      shareContext: bool(env, 'AI_SHARE_CONTEXT', true),
      systemPrompt: str(env, 'AI_SYSTEM_PROMPT'),
      timeoutSeconds: int(env, 'AI_TIMEOUT_SECONDS', 60, 1, 3600),
      fastPath: bool(env, 'AI_FAST_PATH', true),
    },
    enableScheduler: bool(env, 'ENABLE_SCHEDULER', true),
    enableBriefing: bool(env, 'ENABLE_BRIEFING', true),
    briefingTime,
    reminderCheckIntervalSeconds: int(env, 'REMINDER_CHECK_INTERVAL', 60, 1, 86_400),
    agentConcurrency: int(env, 'AGENT_CONCURRENCY', 2, 1, 64),
    rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 1200, 0, 1_000_000),
    loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES', 5, 1, 1000),
    loginLockoutMinutes: int(env, 'LOGIN_LOCKOUT_MINUTES', 15, 1, 24 * 60),
    loginGlobalMaxFailures: int(env, 'LOGIN_GLOBAL_MAX_FAILURES', 50, 1, 100_000),
    corsOrigins:
      cors === null || cors === '*'
        ? '*'
        : cors
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
    expoAccessToken: str(env, 'EXPO_ACCESS_TOKEN'),
    expoBaseUrl: expoBase === null ? null : parseUrl('EXPO_BASE_URL', expoBase),
    maxUploadBytes: int(env, 'MAX_UPLOAD_SIZE_MB', 25, 1, 10_240) * 1_048_576,
    importLimitBytes: int(env, 'IMPORT_LIMIT_MB', 200, 1, 400) * 1_048_576,
    attachmentsDir: path.resolve(cwd, str(env, 'ATTACHMENTS_DIR') ?? path.join(dataDir, 'attachments')),
  };
}

/** proxy-addr's names for address ranges, accepted in a TRUST_PROXY list. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY. `true` trusting every hop would let a client pick its own address (the
 * leftmost X-Forwarded-For), so `true` means one hop: the address the nearest proxy appended.
 * A number is that many hops; a comma list names the proxies (addresses, CIDRs, or
 * loopback/linklocal/uniquelocal) whose word is taken.
 */
function parseTrustProxy(raw: string | null): Config['trustProxy'] {
  if (raw === null) return false;
  const v = raw.toLowerCase();
  if (['false', 'no', 'off', '0'].includes(v)) return false;
  if (['true', 'yes', 'on'].includes(v)) return 1;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > 32) throw new ConfigError('TRUST_PROXY', `must be at most 32 hops, got ${hops}`);
    return hops;
  }
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = net.isIP(address ?? '');
    const prefixOk =
      prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!PROXY_RANGES.includes(entry.toLowerCase()) && (family === 0 || !prefixOk || extra !== undefined))
      throw new ConfigError(
        'TRUST_PROXY',
        `must be false, true (one proxy), a hop count, or a comma list of proxy addresses/CIDRs; "${entry}" is none of these`,
      );
  }
  return entries.map((e) => (PROXY_RANGES.includes(e.toLowerCase()) ? e.toLowerCase() : e));
}

/**
 * TRUST_PROXY as Fastify's `trustProxy`: a hop count becomes "the first n hops from this
 * server are proxies" (hop 0 is the peer of the socket), a list is passed on as it is.
 */
export function trustProxyOption(
  trust: Config['trustProxy'],
): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return trust === 0 ? false : (_address, hop) => hop < trust;
  return trust;
}

function parseLogLevel(level: string): string {
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(level))
    throw new ConfigError('LOG_LEVEL', `must be one of ${levels.join(', ')}, got "${level}"`);
  return level;
}
