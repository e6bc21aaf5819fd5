/**
 * A snippet with its `**matches**` marked. The text is split, never parsed as HTML, so a
 * snippet holding markup shows it as text.
 */
export function Snippet({ text }: { text: string }) {
  const parts = text.split('**');
  return <>{parts.map((p, i) => (i % 2 === 1 && i < parts.length - 1 ? <mark key={i}>{p}</mark> : p))}</>;
}
