/**
 * Constraint violations both drivers report, told apart by their codes (better-sqlite3's
 * extended result codes, PostgreSQL's SQLSTATE), so services can answer 404/409 when a
 * concurrent write beat their checks instead of a 500.
 */
const codeOf = (err: unknown): unknown =>
  typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;

/** A row points at one that does not exist (any more). */
export const isForeignKeyViolation = (err: unknown): boolean =>
  codeOf(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY' || codeOf(err) === '23503';

/** A unique index already holds this key. */
export const isUniqueViolation = (err: unknown): boolean =>
  codeOf(err) === 'SQLITE_CONSTRAINT_UNIQUE' ||
  codeOf(err) === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
  codeOf(err) === '23505';
