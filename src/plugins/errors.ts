/**
 * The one error mapper: every failure, from a service's AppError to a framework error (bad
 * JSON, body too large, unknown route), leaves as `{"error": {"code", "message", "details"}}`.
 * A 5xx never shows internals.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, type ErrorCode } from '../lib/errors.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export function errorBody(code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
  data?: unknown;
}

/** Names the offending field the way a client sent it: `title`, `limit`, `tags.2`. */
function validationDetails(error: FastifyError): { message: string; details: Record<string, unknown> } {
  const issue = (error.validation?.[0] ?? {}) as AjvIssue;
  const context = (error as { validationContext?: string }).validationContext ?? 'body';
  let field = (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  if (issue.keyword === 'required' && typeof issue.params?.missingProperty === 'string')
    field = field ? `${field}.${issue.params.missingProperty}` : issue.params.missingProperty;
  if (!field) field = context;
  const details: Record<string, unknown> = { field, location: context };
  const value = issue.data;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') details.value = value;
  else if (typeof value === 'string' && value.length <= 100) details.value = value;
  if (issue.keyword === 'enum' && Array.isArray(issue.params?.allowedValues))
    details.allowed = issue.params.allowedValues;
  const what =
    issue.keyword === 'required'
      ? 'is required'
      : issue.keyword === 'enum' && Array.isArray(issue.params?.allowedValues)
        ? `must be one of ${issue.params.allowedValues.join(', ')}`
        : (issue.message ?? 'is invalid');
  return { message: `${field} ${what}`, details };
}

function toErrorBody(error: FastifyError | AppError): {
  status: number;
  body: ErrorBody;
  retryAfter?: number;
} {
  if (error instanceof AppError)
    return {
      status: error.status,
      body: errorBody(error.code, error.message, error.details),
      retryAfter: error.retryAfter,
    };

  if (error.validation) {
    const { message, details } = validationDetails(error);
    return { status: 400, body: errorBody('VALIDATION_ERROR', message, details) };
  }
  // An id longer than any id we issue cannot name anything; a broken %-escape is a bad URL.
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return { status: 404, body: errorBody('NOT_FOUND', 'Not found') };
  if (error.code === 'FST_ERR_BAD_URL')
    return { status: 400, body: errorBody('VALIDATION_ERROR', 'Malformed URL', { field: 'url' }) };
  const status = error.statusCode ?? 500;
  switch (status) {
    case 413:
      return {
        status,
        body: errorBody('PAYLOAD_TOO_LARGE', 'Request body is larger than the allowed limit'),
      };
    case 404:
      return { status, body: errorBody('NOT_FOUND', 'Not found') };
    case 401:
      return { status, body: errorBody('UNAUTHORIZED', error.message || 'Authentication required') };
    case 429:
      return { status, body: errorBody('RATE_LIMITED', 'Too many requests') };
    case 415:
      return {
        status,
        body: errorBody('VALIDATION_ERROR', 'Unsupported content type: send application/json', {
          field: 'content-type',
        }),
      };
    default:
      break;
  }
  if (status >= 400 && status < 500) {
    // Malformed or empty JSON and other framework complaints about the request itself.
    const message =
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
        ? 'Malformed JSON body'
        : error.message;
    return { status: 400, body: errorBody('VALIDATION_ERROR', message || 'Bad request', { field: 'body' }) };
  }
  return { status: 500, body: errorBody('INTERNAL_ERROR', 'Internal server error') };
}

export function sendError(reply: FastifyReply, error: FastifyError | AppError): FastifyReply {
  const { status, body, retryAfter } = toErrorBody(error);
  if (retryAfter !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * How much of a refused body is read and discarded before the answer (DECISIONS.md "Input
 * limits"): a multiple of the body limit, and at most this long.
 */
const DRAIN_FACTOR = 16;
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Reads and discards what is left of a request body, up to `maxBytes` or the timeout. Fastify
 * refuses an over-limit body (413, `Connection: close`) while the client is still sending; a
 * close with unread data resets the connection, and the client (fetch, a browser) sees EPIPE
 * or ECONNRESET instead of the 413. Once the body is read, the close is a clean one.
 */
function drainBody(req: IncomingMessage, maxBytes: number): Promise<void> {
  return new Promise((resolve) => {
    if (req.complete || req.readableEnded || req.destroyed) return resolve();
    let seen = 0;
    const finish = () => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', finish);
      req.off('close', finish);
      req.off('error', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.byteLength;
      // Past the bound the client is not a browser with a slightly large upload: answer, close.
      if (seen > maxBytes) finish();
    };
    const timer = setTimeout(finish, DRAIN_TIMEOUT_MS);
    req.on('data', onData);
    req.once('end', finish);
    req.once('close', finish);
    req.once('error', finish);
    req.resume();
  });
}

async function errorsPlugin(app: FastifyInstance): Promise<void> {
  const drainBytes = DRAIN_FACTOR * app.initialConfig.bodyLimit!;
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = toErrorBody(error);
    if (mapped.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.debug({ code: mapped.body.error.code }, mapped.body.error.message);
    if (mapped.status === 413) await drainBody(request.raw, drainBytes);
    if (mapped.status >= 500) {
      const where = `${request.method} ${request.routeOptions.url ?? ''}`;
      void request.server.activity?.record('error', `${where}: ${error.message}`, { request_id: request.id });
    }
    return sendError(reply, error);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(errorBody('NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`)),
  );
}

export default fp(errorsPlugin, { name: 'errors' });
