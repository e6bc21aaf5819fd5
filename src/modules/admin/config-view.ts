/**
 * The effective configuration as the owner set it (by environment variable), with every secret
 * hidden. Built field by field from Config: a variable added later shows up only when listed
 * here, so a new secret can never leak by default.
 */
import type { Config } from '../../config.js';

export const REDACTED = '[redacted]';

/** Query parameters that carry credentials in connection URLs (`?password=`, `?sslkey=`...). */
const SECRET_PARAM = /pass|secret|token|key|auth|cred/i;

/** A URL without its password and credential parameters (the user name stays: it helps and is not secret). */
export function redactUrl(raw: string): { url: string; redacted: boolean } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    // Not parseable: nothing can be shown safely.
    return { url: REDACTED, redacted: true };
  }
  let redacted = false;
  if (u.password) {
    u.password = 'REDACTED';
    redacted = true;
  }
  for (const name of [...u.searchParams.keys()]) {
    if (!SECRET_PARAM.test(name)) continue;
    u.searchParams.set(name, 'REDACTED');
    redacted = true;
  }
  // URL encodes the placeholder's brackets, so a plain word stands in and is swapped back.
  return { url: u.toString().replaceAll('REDACTED', REDACTED), redacted };
}

/** A base URL for display: no user, password, query or fragment. */
export function displayBaseUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return REDACTED;
  }
}

type Value = string | number | boolean | null;

export function configView(config: Config): { config: Record<string, Value>; redacted: string[] } {
  const redacted: string[] = [];
  const secret = (name: string, value: string | null): Value => {
    if (value === null) return null;
    redacted.push(name);
    return REDACTED;
  };
  const url = (name: string, value: string | null): Value => {
    if (value === null) return null;
    const shown = redactUrl(value);
    if (shown.redacted) redacted.push(name);
    return shown.url;
  };
  const db = config.database;
  const out: Record<string, Value> = {
    NODE_ENV: config.nodeEnv,
    HOST: config.host,
    PORT: config.port,
    LOG_LEVEL: config.logLevel,
    DATA_DIR: config.dataDir,
    TRUST_PROXY: Array.isArray(config.trustProxy) ? config.trustProxy.join(',') : config.trustProxy,
    BODY_LIMIT_BYTES: config.bodyLimitBytes,
    DATABASE_URL: db.kind === 'sqlite' ? `sqlite:///${db.file}` : url('DATABASE_URL', db.url),
    REDIS_URL: url('REDIS_URL', config.redisUrl),
    REDIS_KEY_PREFIX: config.redisKeyPrefix,
    // Unset, the server signs with a secret it generated and keeps in DATA_DIR.
    JWT_SECRET: secret('JWT_SECRET', config.jwtSecret),
    JWT_EXPIRY_HOURS: config.jwtExpiryHours,
    PIN: secret('PIN', config.pin),
    TIMEZONE: config.timezone,
    AI_PROVIDER: config.ai.provider,
    AI_BASE_URL: url('AI_BASE_URL', config.ai.baseUrl),
    AI_API_KEY: secret('AI_API_KEY', config.ai.apiKey),
    AI_MODEL: config.ai.model,
    AI_SHARE_CONTEXT: config.ai.shareContext,
    AI_SYSTEM_PROMPT: config.ai.systemPrompt,
    AI_TIMEOUT_SECONDS: config.ai.timeoutSeconds,
    ENABLE_SCHEDULER: config.enableScheduler,
    ENABLE_BRIEFING: config.enableBriefing,
    BRIEFING_TIME: config.briefingTime,
    REMINDER_CHECK_INTERVAL: config.reminderCheckIntervalSeconds,
    AGENT_CONCURRENCY: config.agentConcurrency,
    RATE_LIMIT_PER_MINUTE: config.rateLimitPerMinute,
    LOGIN_MAX_FAILURES: config.loginMaxFailures,
    LOGIN_LOCKOUT_MINUTES: config.loginLockoutMinutes,
    LOGIN_GLOBAL_MAX_FAILURES: config.loginGlobalMaxFailures,
    CORS_ORIGINS: config.corsOrigins === '*' ? '*' : config.corsOrigins.join(','),
    EXPO_ACCESS_TOKEN: secret('EXPO_ACCESS_TOKEN', config.expoAccessToken),
    EXPO_BASE_URL: url('EXPO_BASE_URL', config.expoBaseUrl),
    MAX_UPLOAD_SIZE_MB: config.maxUploadBytes / 1_048_576,
    ATTACHMENTS_DIR: config.attachmentsDir,
  };
  return { config: out, redacted };
}
