import { validationError } from './errors.js';

/**
 * A comma-separated query value (`status=pending,in_progress`) read as its values, each checked
 * against `allowed`; undefined when absent or empty, so the filter is left off.
 */
export function csvEnum(
  field: string,
  raw: string | undefined,
  allowed: readonly string[],
): string[] | undefined {
  if (raw === undefined) return undefined;
  const values = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const v of values)
    if (!allowed.includes(v))
      throw validationError(field, `${field} must be one of ${allowed.join(', ')}`, v);
  return values.length ? values : undefined;
}
