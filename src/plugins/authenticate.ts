import type { FastifyReply, FastifyRequest } from 'fastify';
import { unauthorized } from '../lib/errors.js';
import type { AccessClaims, AuthService } from '../modules/auth/auth.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AccessClaims | null;
  }
}

/** Reads `Authorization: Bearer <access token>`; a missing or bad token is a 401 envelope. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}

export function authenticate(auth: AuthService) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const token = bearerToken(req.headers.authorization);
    if (token === null) throw unauthorized('Missing bearer token');
    req.auth = await auth.authenticate(token);
  };
}
