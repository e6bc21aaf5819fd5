export function formatDue(iso: string, withTime: boolean): string {
  const d = iso.length === 10 ? new Date(`${iso}T00:00:00`) : new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(withTime ? { hour: 'numeric', minute: '2-digit' } : {}),
  }).format(d);
}

export const isOverdue = (iso: string | null, done: boolean) => !done && !!iso && new Date(iso) < new Date();

/** "a, b , #c" -> ["a", "b", "c"] */
export const parseTags = (s: string) => [
  ...new Set(
    s
      .split(/[,\s]+/)
      .map((t) => t.replace(/^#/, '').trim())
      .filter(Boolean),
  ),
];
