/**
 * Secrets that travel in a query string (the WebSocket's `?token=`, a feed's `?key=`) never
 * reach a log line. Names are compared after decoding, as the router reads them: `%74oken`
 * is `token` to the route, so it is `token` to the redaction too.
 */
const SECRET_NAMES = new Set(['token', 'key', 'access_token', 'refresh_token', 'pin']);

function isSecretName(raw: string): boolean {
  let name: string;
  try {
    name = decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    // An undecodable name cannot be checked: its value is withheld rather than guessed safe.
    return true;
  }
  return SECRET_NAMES.has(name.trim().toLowerCase());
}

/** A URL with the values of its secret query parameters replaced by `[REDACTED]`, for logs. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq < 0) return part;
      const name = part.slice(0, eq);
      return isSecretName(name) ? `${name}=[REDACTED]` : part;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}
