import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { errorResponses } from '../common/schemas.js';
import type { AuthService } from './auth.service.js';

const TokenPair = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer({ description: 'Access token lifetime in seconds' }),
});

/** Login and refresh are public; logout needs the access token (registered in the protected scope). */
export async function authPublicRoutes(app: App, opts: { auth: AuthService }): Promise<void> {
  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in with the PIN',
        security: [],
        body: Type.Object({ pin: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: TokenPair, ...errorResponses(400, 401, 429) },
      },
    },
    async (req) => opts.auth.login(req.body.pin, req.ip, req.headers['user-agent']),
  );

  app.post(
    '/api/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Rotate the refresh token',
        security: [],
        body: Type.Object({ refresh_token: Type.String({ minLength: 1, maxLength: 4096 }) }),
        response: { 200: TokenPair, ...errorResponses(400, 401) },
      },
    },
    async (req) => opts.auth.refresh(req.body.refresh_token),
  );
}

export async function authProtectedRoutes(app: App, opts: { auth: AuthService }): Promise<void> {
  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Revoke this login session (its tokens and sockets)',
        response: { 204: Type.Null(), ...errorResponses(401) },
      },
    },
    async (req, reply) => {
      await opts.auth.logout(req.auth!.sessionId);
      return reply.code(204).send(null);
    },
  );
}
