import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  ai_provider: Type.String(),
  ai_model: Type.String(),
  ai_connected: Type.Boolean(),
  database: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
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
}

export async function healthRoutes(app: App, deps: HealthDeps): Promise<void> {
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
      const [ai, services] = await Promise.all([deps.aiConnected(), deps.servicesUp()]);
      const degraded = ai === false || !services;
      return {
        status: degraded ? ('degraded' as const) : ('ok' as const),
        version: deps.version,
        ai_provider: deps.aiProvider,
        ai_model: deps.aiModel,
        ai_connected: ai === true,
        database: deps.database,
      };
    },
  );
}
