/**
 * The error family services throw. One handler (plugins/errors.ts) maps them to the documented
 * body `{"error": {"code", "message", "details"}}`.
 */
export type ErrorCode =
  | 'VALIDATION_ERROR'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNPROCESSABLE'
  | 'RATE_LIMITED'
  | 'INTERNAL_ERROR'
  | 'AI_UNAVAILABLE';

export const STATUS_OF: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  AI_UNAVAILABLE: 503,
};

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Seconds, sent as `Retry-After` with RATE_LIMITED. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
  get status(): number {
    return STATUS_OF[this.code];
  }
}

export const notFound = (what: string, id?: string) =>
  new AppError(
    'NOT_FOUND',
    id === undefined ? `${what} not found` : `${what} ${id} not found`,
    id ? { id } : undefined,
  );

export const validationError = (field: string, message: string, value?: unknown) =>
  new AppError('VALIDATION_ERROR', message, value === undefined ? { field } : { field, value });

export const unprocessable = (field: string, message: string) =>
  new AppError('UNPROCESSABLE', message, { field });

export const unauthorized = (message = 'Authentication required') => new AppError('UNAUTHORIZED', message);

export const conflict = (message: string, details?: Record<string, unknown>) =>
  new AppError('CONFLICT', message, details);

/** `row` when the lookup found one; otherwise the NOT_FOUND error naming what was asked for. */
export function orNotFound<T>(row: T | null | undefined, what: string, id: string): T {
  if (row === null || row === undefined) throw notFound(what, id);
  return row;
}
