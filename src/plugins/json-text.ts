/**
 * Text no database stores faithfully is refused at the API, on both databases alike (DECISIONS
 * "NUL character", "Lone surrogates"): NUL (PostgreSQL text cannot hold it) and a lone UTF-16
 * surrogate (`"\ud800"` in JSON is valid JSON but no Unicode text; stored, it becomes invalid
 * UTF-8 or a silent U+FFFD depending on the driver).
 */

/** Cheap pre-check on the raw body: only a `\u` escape can put either into a parsed string. */
export function mayHoldBadText(body: string): boolean {
  return body.includes('\\u0000') || /\\u[dD][89a-fA-F]/.test(body);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function problem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text (no lone surrogates)';
  return null;
}

/** The first string (or key) in a JSON value that holds such text, by its path (`title`, `tags.2`). */
export function badTextField(value: unknown, at = ''): { field: string; message: string } | null {
  if (typeof value === 'string') {
    const what = problem(value);
    return what === null ? null : { field: at || 'body', message: `${at || 'body'} ${what}` };
  }
  if (value === null || typeof value !== 'object') return null;
  for (const [key, inner] of Object.entries(value)) {
    const what = problem(key);
    if (what !== null) return { field: at || 'body', message: `${at || 'body'} ${what}` };
    const found = badTextField(inner, at ? `${at}.${key}` : key);
    if (found !== null) return found;
  }
  return null;
}
