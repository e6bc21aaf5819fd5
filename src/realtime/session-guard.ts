/**
 * Keeps revoked sessions off the live connections (WebSockets and SSE reply streams). Logout
 * and refresh-token reuse on this instance close them at once (hub.closeSession, and Redis
 * carries that to the other instances), but `npm run reset-pin` runs in another process and an
 * instance without Redis learns nothing: their revocations exist only in the database. So the
 * sessions of the open connections are read back every `intervalMs` (one indexed query for all
 * of them), and every inbound socket frame asks again before it is acted on. A connection
 * found revoked is ended (a socket with 4001) and sends and receives nothing more.
 */
import type { Logger } from '../lib/logger.js';

export const DEFAULT_SESSION_CHECK_INTERVAL_MS = 2_000;

export interface GuardedConnection {
  readonly sessionId: string;
  /** Set once the session is known to be revoked; sends and frames check it. */
  revoked: boolean;
  /** Detaches from the hub and ends the connection (a socket closes with 4001). Called once. */
  onRevoked(reason: string): void;
}

export interface SessionGuardDeps {
  liveSessions(sessionIds: readonly string[]): Promise<Set<string>>;
  isSessionLive(sessionId: string): Promise<boolean>;
  intervalMs?: number;
  log?: Pick<Logger, 'warn'>;
}

export type SessionGuard = ReturnType<typeof createSessionGuard>;

export function createSessionGuard(deps: SessionGuardDeps) {
  const connections = new Set<GuardedConnection>();
  let checking = false;

  function revoke(connection: GuardedConnection, reason: string): void {
    if (connection.revoked) return;
    connection.revoked = true;
    connections.delete(connection);
    connection.onRevoked(reason);
  }

  async function sweep(): Promise<void> {
    if (checking || connections.size === 0) return;
    checking = true;
    try {
      const ids = [...new Set([...connections].map((s) => s.sessionId))];
      const live = await deps.liveSessions(ids);
      for (const connection of [...connections])
        if (!live.has(connection.sessionId)) revoke(connection, 'Session revoked');
    } catch (err) {
      // The database is unreachable: keep the connections (nothing they ask can be done anyway)
      // and look again at the next tick.
      deps.log?.warn({ err }, 'could not check the sessions of open connections');
    } finally {
      checking = false;
    }
  }

  const timer = setInterval(() => void sweep(), deps.intervalMs ?? DEFAULT_SESSION_CHECK_INTERVAL_MS);
  timer.unref();

  return {
    /** Watches a connection until the returned function runs (its close). */
    track(connection: GuardedConnection): () => void {
      connections.add(connection);
      return () => connections.delete(connection);
    },
    /**
     * Whether an inbound frame of `connection` may be acted on: its session is read from the
     * database first, so a revocation made a moment ago elsewhere already counts.
     */
    async admit(connection: GuardedConnection): Promise<boolean> {
      if (connection.revoked) return false;
      if (await deps.isSessionLive(connection.sessionId)) return !connection.revoked;
      revoke(connection, 'Session revoked');
      return false;
    },
    sweep,
    stop(): void {
      clearInterval(timer);
    },
  };
}
