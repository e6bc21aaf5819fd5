/**
 * Auto-titles (BEHAVIOUR.md "Orchestration"): after the first turn of an untitled conversation,
 * a short title of at most 6 words and 60 characters, written by the LLM when it is reachable,
 * else the first words of the message.
 */
import type { AiProvider } from '../../ai/types.js';
import type { Titler } from './turns.js';
import { firstLine } from '../../lib/text.js';

const MAX_WORDS = 6;
const MAX_CHARS = 60;
const LLM_TITLE_TIMEOUT_MS = 10_000;

/** At most 6 words and 60 characters, without surrounding quotes or trailing punctuation. */
export function clampTitle(raw: string): string {
  const line = firstLine(raw);
  const cleaned = line
    .replace(/^title\s*:\s*/i, '')
    .replace(/^["'“”‘’`*#\s]+|["'“”‘’`*\s]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  let title = cleaned.split(' ').filter(Boolean).slice(0, MAX_WORDS).join(' ');
  if ([...title].length > MAX_CHARS) {
    const cut = [...title].slice(0, MAX_CHARS).join('');
    const space = cut.lastIndexOf(' ');
    title = space > 20 ? cut.slice(0, space) : cut;
  }
  return title.replace(/[\s.,;:!?\-–—]+$/u, '').trim();
}

/** The offline title: the first words of the message. */
export function offlineTitle(text: string): string {
  return clampTitle(text) || 'New conversation';
}

export function createTitler(provider: AiProvider | null): Titler {
  return {
    async title(text, { useLlm, signal }) {
      if (useLlm && provider?.enabled && !signal?.aborted) {
        try {
          const raw = await provider.complete(
            [
              {
                role: 'system',
                content:
                  'Write a short title (at most 6 words) for a conversation that starts with the user message below. ' +
                  'Answer with the title only: no quotes, no trailing punctuation.',
              },
              { role: 'user', content: text.slice(0, 2_000) },
            ],
            {
              maxTokens: 24,
              signal: signal
                ? AbortSignal.any([signal, AbortSignal.timeout(LLM_TITLE_TIMEOUT_MS)])
                : AbortSignal.timeout(LLM_TITLE_TIMEOUT_MS),
            },
          );
          const title = clampTitle(raw);
          if (title) return title;
        } catch {
          // The first words will do.
        }
      }
      return offlineTitle(text);
    },
  };
}
