import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import type { Database } from '../../db/database.js';
import { createStorageProbe } from './storage-probe.js';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  ai_provider: Type.String(),
  ai_model: Type.String(),
  ai_connected: Type.Boolean(),
  database: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
  reason: Type.Union([Type.String(), Type.Null()], {
    description: 'Why the status is degraded (AI unreachable, storage not writable, ...); null when ok',
  }),
});

export interface HealthDeps {
  version: string;
  aiProvider: string;
  aiModel: string;
  database: 'sqlite' | 'postgres';
  /** A cached, quickly answered probe of the AI provider; null when no provider is configured. */
  aiConnected: () => Promise<boolean | null>;
  /** Other required services (database, Redis); false makes the status degraded. */
  servicesUp: () => Promise<boolean>;
  /** The database and DATA_DIR, probed for writes (cached): a full disk makes the status degraded. */
  storage: { database: Database; dataDir: string };
}

export async function healthRoutes(app: App, deps: HealthDeps): Promise<void> {
  const storageProbe = createStorageProbe(deps.storage.database, deps.storage.dataDir);
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness and dependencies',
        security: [],
        response: { 200: Health },
      },
    },
    async () => {
      const [ai, services, storage] = await Promise.all([
        deps.aiConnected(),
        deps.servicesUp(),
        storageProbe(),
      ]);
      const reasons = [
        ...(storage === null ? [] : [storage]),
        ...(services ? [] : ['a required service is unreachable']),
        ...(ai === false ? ['AI provider unreachable'] : []),
      ];
      return {
        status: reasons.length > 0 ? ('degraded' as const) : ('ok' as const),
        version: deps.version,
        ai_provider: deps.aiProvider,
        ai_model: deps.aiModel,
        ai_connected: ai === true,
        database: deps.database,
        reason: reasons.length > 0 ? reasons.join('; ') : null,
      };
    },
  );
}
