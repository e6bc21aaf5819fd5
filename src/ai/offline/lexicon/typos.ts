/**
 * A mistyped command verb at the start of a message ("dlete", "cancle", "reschedul", "seach"):
 * one slip of the finger away from a verb the rules read, it is read as that verb. Only the
 * first word, only long verbs, and never a real word that happens to be one slip away.
 */

const COMMAND_VERBS = [
  'delete',
  'remove',
  'cancel',
  'update',
  'change',
  'reschedule',
  'postpone',
  'search',
  'schedule',
  'remind',
  'create',
  'complete',
  'finish',
  'rename',
];
// Real words one slip from a command verb.
const WORDS = new Set(['chance', 'cancer', 'rewind', 'crate', 'remand', 'finnish', 'searches', 'reminds']);

/** Whether `a` becomes `b` by one insertion, deletion, substitution or swap of neighbours. */
function oneSlip(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

export function fixCommandTypo(text: string): string {
  const m = /^([a-z]{4,11})(?=\s)/i.exec(text);
  const word = m?.[1]?.toLowerCase();
  if (!word || WORDS.has(word) || COMMAND_VERBS.includes(word)) return text;
  const verb = COMMAND_VERBS.find((v) => v.length >= 6 && oneSlip(word, v));
  return verb ? verb + text.slice(word.length) : text;
}
