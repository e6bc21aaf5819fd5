/**
 * Single-owner authentication (BEHAVIOUR.md "Security"): a hashed PIN compared in constant
 * time, a persisted login throttle, stored sessions with rotating refresh tokens and reuse
 * detection, and HS256 JWTs whose `type` keeps access and refresh tokens apart.
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../../lib/clock.js';
import { AppError, unauthorized } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { AuthRepository } from './auth.repository.js';

const scrypt = promisify(crypto.scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: crypto.ScryptOptions,
) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1 };
const REFRESH_TTL_SECONDS = 30 * 24 * 3600;
const PIN_HASH_KEY = 'auth.pin_hash';
/**
 * Earlier versions kept a generated PIN here in clear until the first login. A PIN is never
 * stored now (only its hash); the row is deleted wherever it is still found.
 */
const LEGACY_GENERATED_PIN_KEY = 'auth.generated_pin';

export type TokenType = 'access' | 'refresh';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
}

export interface AccessClaims {
  sessionId: string;
  expiresAt: Date;
}

export interface AuthServiceDeps {
  repo: AuthRepository;
  clock: Clock;
  secret: Uint8Array;
  accessTtlSeconds: number;
  maxFailures: number;
  globalMaxFailures: number;
  lockoutMinutes: number;
  /** Told when a session is revoked, so its sockets close. */
  onSessionRevoked?: (sessionId: string) => void;
  /** Told after each PIN check (the owner's activity log); must not throw. */
  onLogin?: (e: { ok: boolean; address: string; sessionId?: string; userAgent?: string }) => Promise<void>;
}

export type AuthService = ReturnType<typeof createAuthService>;

async function hashPin(pin: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(pin, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(pin, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return crypto.timingSafeEqual(actual, expected);
}

export function createAuthService(deps: AuthServiceDeps) {
  const { repo, clock, secret } = deps;
  const nowIso = () => clock.now().toISOString();
  // Logins run one at a time: otherwise a burst of guesses would all pass the throttle check
  // before the first failure is recorded. A PIN check takes ~50 ms, so this costs nobody.
  let loginQueue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = loginQueue.then(work, work);
    loginQueue = run.catch(() => undefined);
    return run;
  };

  async function sign(
    type: TokenType,
    sessionId: string,
    ttlSeconds: number,
    /** Re-issues a token already known by this jti (the same successor again). */
    jti: string = crypto.randomUUID(),
  ): Promise<{ token: string; jti: string }> {
    const iat = Math.floor(clock.now().getTime() / 1000);
    const token = await new SignJWT({ type, sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('owner')
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      .sign(secret);
    return { token, jti };
  }

  async function issuePair(sessionId: string, refresh: { token: string }): Promise<TokenPair> {
    const access = await sign('access', sessionId, deps.accessTtlSeconds);
    return {
      access_token: access.token,
      refresh_token: refresh.token,
      token_type: 'bearer',
      expires_in: deps.accessTtlSeconds,
    };
  }

  // Every API call presents the same access token until it is refreshed; checking its HMAC
  // through WebCrypto each time costs more than the request's own query. A token that passed
  // once is remembered (by its exact bytes) with its claims; its expiry is still checked on
  // every use, and the session's liveness is checked by the caller as before.
  const verifiedAccess = new Map<string, { sessionId: string; jti: string; exp: number }>();
  const VERIFIED_ACCESS_MAX = 1_000;

  async function decodeAccess(token: string) {
    const known = verifiedAccess.get(token);
    if (known) {
      if (known.exp > clock.now().getTime() / 1000) return known;
      verifiedAccess.delete(token);
      throw unauthorized('Token expired');
    }
    const claims = await decode(token, 'access');
    if (verifiedAccess.size >= VERIFIED_ACCESS_MAX)
      verifiedAccess.delete(verifiedAccess.keys().next().value!);
    verifiedAccess.set(token, claims);
    return claims;
  }

  /** Verifies signature, expiry and type; anything else is a plain 401. */
  async function decode(token: string, type: TokenType) {
    try {
      const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], currentDate: clock.now() });
      if (payload.type !== type || typeof payload.sid !== 'string' || typeof payload.jti !== 'string')
        throw unauthorized(`Not a${type === 'access' ? 'n access' : ' refresh'} token`);
      return { sessionId: payload.sid, jti: payload.jti, exp: payload.exp ?? 0 };
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw unauthorized('Token expired');
      throw unauthorized('Invalid token');
    }
  }

  async function throttleCheck(address: string): Promise<void> {
    const windowMs = deps.lockoutMinutes * 60_000;
    const now = clock.now().getTime();
    const since = new Date(now - windowMs).toISOString();
    const counts = await repo.countLoginFailures(address, since);
    const retryAfter = (oldest: string | null) =>
      oldest === null ? deps.lockoutMinutes * 60 : (new Date(oldest).getTime() + windowMs - now) / 1000;
    const limits = [
      [counts.address, deps.maxFailures],
      [counts.global, deps.globalMaxFailures],
    ] as const;
    for (const [failures, max] of limits)
      if (failures.count >= max)
        throw new AppError(
          'RATE_LIMITED',
          'Too many failed logins; try again later',
          undefined,
          retryAfter(failures.oldest),
        );
  }

  async function loginOnce(pin: string, address: string, userAgent?: string): Promise<TokenPair> {
    await throttleCheck(address);
    const stored = await repo.getSetting(PIN_HASH_KEY);
    const ok = stored !== null && (await verifyPin(pin, stored));
    if (!ok) {
      await repo.recordLoginFailure(address, nowIso());
      await deps.onLogin?.({ ok: false, address, userAgent });
      throw unauthorized('Wrong PIN');
    }
    await repo.clearLoginFailures(address);
    await repo.pruneLoginFailures(new Date(clock.now().getTime() - 24 * 3600_000).toISOString());
    const sessionId = newId('ses');
    const refresh = await sign('refresh', sessionId, REFRESH_TTL_SECONDS);
    await repo.createSession(sessionId, refresh.jti, nowIso());
    await deps.onLogin?.({ ok: true, address, sessionId, userAgent });
    return issuePair(sessionId, refresh);
  }

  return {
    /**
     * Makes sure a PIN hash exists. With `pin` given (from the environment) it becomes the PIN,
     * and a PIN different from the stored one revokes every session, as `reset-pin` does.
     * Without one, a random 6-digit PIN is generated on the very first start and returned that
     * once (never stored in clear: a lost one is replaced with `npm run reset-pin`).
     */
    async bootstrapPin(pin: string | null): Promise<{ generatedPin: string | null }> {
      await repo.deleteSetting(LEGACY_GENERATED_PIN_KEY);
      const stored = await repo.getSetting(PIN_HASH_KEY);
      if (pin !== null) {
        if (stored === null) await repo.putSetting(PIN_HASH_KEY, await hashPin(pin));
        else if (!(await verifyPin(pin, stored))) {
          await repo.putSetting(PIN_HASH_KEY, await hashPin(pin));
          await repo.revokeAllSessions('pin_changed', nowIso());
        }
        return { generatedPin: null };
      }
      if (stored !== null) return { generatedPin: null };
      const generated = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
      await repo.putSetting(PIN_HASH_KEY, await hashPin(generated));
      return { generatedPin: generated };
    },

    /** Sets a new PIN and revokes every session (`npm run reset-pin`). */
    async resetPin(pin: string): Promise<void> {
      await repo.putSetting(PIN_HASH_KEY, await hashPin(pin));
      await repo.deleteSetting(LEGACY_GENERATED_PIN_KEY);
      await repo.revokeAllSessions('pin_reset', nowIso());
    },

    login(pin: string, address: string, userAgent?: string): Promise<TokenPair> {
      return serially(() => loginOnce(pin, address, userAgent));
    },

    /**
     * COMPAT.md: a refresh token may be exchanged until one of its successors is used. Using the
     * newest token rotates (it becomes the parent of a new one); presenting the parent again,
     * while that successor is unused, answers the same successor; anything else is reuse and
     * revokes the whole session.
     */
    async refresh(refreshToken: string): Promise<TokenPair> {
      const claims = await decode(refreshToken, 'refresh');
      const session = await repo.findSession(claims.sessionId);
      if (!session || session.revoked_at !== null) throw unauthorized('Session revoked');
      if (session.refresh_jti === claims.jti) {
        const next = await sign('refresh', session.id, REFRESH_TTL_SECONDS);
        if (await repo.rotateRefresh(session.id, claims.jti, next.jti, nowIso()))
          return issuePair(session.id, next);
        // Rotated meanwhile by the same token's twin request: it is now the parent (below).
      }
      const successor = await repo.reissueSuccessor(session.id, claims.jti, nowIso());
      if (successor !== null)
        return issuePair(session.id, await sign('refresh', session.id, REFRESH_TTL_SECONDS, successor));
      // A token older than that came back: someone holds a copy.
      await repo.revokeSession(session.id, 'refresh_reuse', nowIso());
      deps.onSessionRevoked?.(session.id);
      throw unauthorized('Refresh token already used; session revoked');
    },

    async logout(sessionId: string, reason = 'logout'): Promise<void> {
      await repo.revokeSession(sessionId, reason, nowIso());
      deps.onSessionRevoked?.(sessionId);
    },

    /** Checks an access token and that its session is still live. */
    async authenticate(token: string): Promise<AccessClaims> {
      const claims = await decodeAccess(token);
      const session = await repo.findSession(claims.sessionId);
      if (!session || session.revoked_at !== null) throw unauthorized('Session revoked');
      return { sessionId: session.id, expiresAt: new Date(claims.exp * 1000) };
    },

    async isSessionLive(sessionId: string): Promise<boolean> {
      const session = await repo.findSession(sessionId);
      return session !== undefined && session.revoked_at === null;
    },

    /**
     * The live ones among `sessionIds`. Revocations made by another process (`reset-pin`) or
     * instance reach open sockets only through the database, so the WebSocket asks this often.
     */
    liveSessions(sessionIds: readonly string[]): Promise<Set<string>> {
      return repo.liveSessionIds(sessionIds);
    },
  };
}
