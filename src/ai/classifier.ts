/**
 * The intent classifier of BEHAVIOUR.md "Understanding a message": one LLM call with the
 * `classify_intent` tool forced, every argument validated (invalid ones dropped, dates
 * re-resolved in the owner's zone), and the offline understander whenever the LLM cannot
 * answer. Models that ignore tools are handled in steps:
 *   tool call -> the same JSON in the reply text -> one retry in JSON mode -> offline,
 * and the step that worked is remembered per model, so the next message starts there.
 * With `fast`, a command the offline understander is certain of skips the LLM (docs/NLU.md).
 */
import type { Config } from '../config.js';
import {
  CLASSIFY_TOOL,
  CLASSIFY_TOOL_CHOICE,
  JSON_MODE_INSTRUCTION,
  buildClassifierSystemPrompt,
} from './classifier-prompt.js';
import { DATE_PARAMS, normalizeLocalDate, preferOfflineDates, type DateParam } from './date-repair.js';
import {
  PRIORITIES,
  TASK_TYPES,
  TODO_STATUSES,
  isIntent,
  type Classification,
  type IntentParams,
  type UnderstandContext,
} from './intents.js';
import {
  httpStatusOf,
  type OpenAiCompatibleProvider,
  type RawCompletion,
  type RawRequest,
} from './provider.js';
import {
  AiUnavailableError,
  type ChatMessage,
  type Classifier,
  type ClassifyInput,
  type ClassifyResult,
} from './types.js';

/** The offline understander's shape (src/ai/offline/understand.ts). */
export type OfflineUnderstander = (text: string, ctx: UnderstandContext) => Classification;
/** The offline fast path's shape: a classification when certain, else null. */
export type FastPath = (text: string, ctx: UnderstandContext) => Classification | null;

/** Which step produced the classification: the forced tool call, JSON in the reply text, or JSON mode. */
export type ClassifyStep = 'tool_call' | 'text_json' | 'json_mode';

export interface ClassifierDeps {
  provider: OpenAiCompatibleProvider;
  ai: Config['ai'];
  offline: OfflineUnderstander;
  /**
   * Obvious commands read offline without asking the LLM (src/ai/offline/fast-path.ts); null
   * when not certain. Absent: every message goes to the LLM when it is up.
   */
  fast?: FastPath;
  /** Wait for the first response of each call; default 5 s. */
  connectTimeoutMs?: number;
  /** Longest silence between chunks; default the provider's idle timeout. */
  idleTimeoutMs?: number;
  /** Limit for each call; default AI_TIMEOUT_SECONDS, at most 30 s. */
  totalTimeoutMs?: number;
}

export interface LlmClassifier extends Classifier {
  /** The step that last worked for a model (null: not known yet). */
  stepFor(model: string): ClassifyStep | null;
}

const CONNECT_TIMEOUT_MS = 5_000;
const MAX_TOTAL_TIMEOUT_MS = 30_000;
/** A tool request refused with these means "this model or server cannot do tools": try JSON mode. */
const TOOLS_UNSUPPORTED_STATUSES = new Set([400, 404, 422, 501]);

export function createClassifier(deps: ClassifierDeps): LlmClassifier {
  const { provider, ai, offline } = deps;
  const memory = new Map<string, ClassifyStep>();
  const callOptions = {
    connectTimeoutMs: deps.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    idleTimeoutMs: deps.idleTimeoutMs,
    totalTimeoutMs: deps.totalTimeoutMs ?? Math.min(ai.timeoutSeconds * 1000, MAX_TOTAL_TIMEOUT_MS),
  };
  // Local models: deterministic and bounded. OpenAI's reasoning models refuse a temperature
  // other than 1 and count reasoning in the token limit, so nothing is set for them.
  const tuning: Pick<RawRequest, 'temperature' | 'maxTokens'> =
    ai.provider === 'ollama' ? { temperature: 0, maxTokens: 512 } : {};

  return {
    stepFor: (model) => memory.get(model) ?? null,

    async classify(input: ClassifyInput, signal?: AbortSignal): Promise<ClassifyResult> {
      const ctx: UnderstandContext = { now: input.now, timezone: input.timezone };
      const fallback = (): ClassifyResult => ({ ...offline(input.text, ctx), source: 'offline' });
      if (!provider.enabled || provider.isDown()) return fallback();
      const obvious = safeFast(deps.fast, input.text, ctx);
      if (obvious) return { ...obvious, source: 'fast' };

      const system = buildClassifierSystemPrompt({
        now: input.now,
        timezone: input.timezone,
        history: input.history,
      });
      const user: ChatMessage = { role: 'user', content: input.text };
      const plans: Plan[] =
        memory.get(provider.model) === 'json_mode' ? ['json', 'tools'] : ['tools', 'json'];

      for (const plan of plans) {
        const request: RawRequest =
          plan === 'tools'
            ? {
                messages: [{ role: 'system', content: system }, user],
                tools: [CLASSIFY_TOOL],
                toolChoice: CLASSIFY_TOOL_CHOICE,
                ...tuning,
              }
            : {
                messages: [{ role: 'system', content: `${system}\n\n${JSON_MODE_INSTRUCTION}` }, user],
                jsonObject: true,
                ...tuning,
              };
        let answer: RawCompletion;
        try {
          answer = await provider.request(request, { signal, ...callOptions });
        } catch (err) {
          if (!(err instanceof AiUnavailableError)) throw err; // an abort, or a bug
          const status = httpStatusOf(err);
          if (plan === 'tools' && status !== null && TOOLS_UNSUPPORTED_STATUSES.has(status)) continue;
          return fallback();
        }
        const found = readAnswer(plan, answer);
        if (!found) continue;
        memory.set(provider.model, found.step);
        const llm = readClassification(found.args, ctx);
        return { ...preferOfflineDates(llm, safeOffline(offline, input.text, ctx), ctx), source: 'llm' };
      }
      return fallback();
    },
  };
}

type Plan = 'tools' | 'json';

function readAnswer(
  plan: Plan,
  answer: RawCompletion,
): { step: ClassifyStep; args: Record<string, unknown> } | null {
  if (plan === 'tools') {
    for (const call of answer.toolCalls) {
      const args = parseObject(call.arguments);
      if (args && 'intent' in args) return { step: 'tool_call', args };
    }
    const args = extractJsonObject(answer.content);
    return args ? { step: 'text_json', args } : null;
  }
  const args = extractJsonObject(answer.content);
  return args ? { step: 'json_mode', args } : null;
}

function safeOffline(
  offline: OfflineUnderstander,
  text: string,
  ctx: UnderstandContext,
): Classification | null {
  try {
    return offline(text, ctx);
  } catch {
    return null; // the cross-check is a refinement; the LLM's answer stands without it
  }
}

function safeFast(fast: FastPath | undefined, text: string, ctx: UnderstandContext): Classification | null {
  try {
    return fast?.(text, ctx) ?? null;
  } catch {
    return null; // a shortcut only: the LLM reads the message instead
  }
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) ? value : null;
  } catch {
    return null;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The classification JSON inside a reply text: a ```json fence, the whole text, or the first
 * balanced `{...}` that parses. Also unwraps `{"name": "classify_intent", "parameters": {...}}`,
 * the form Ollama models use when they write a tool call as text. Null without an `intent`.
 */
export function extractJsonObject(text: string): Record<string, unknown> | null {
  const source = text.slice(0, 20_000);
  const candidates: string[] = [];
  for (const m of source.matchAll(/```(?:json|JSON)?\s*([\s\S]*?)```/g)) candidates.push(m[1]!);
  candidates.push(source.trim());
  for (const candidate of candidates) {
    const found = unwrap(parseObject(candidate.trim())) ?? firstBalancedObject(candidate);
    if (found) return found;
  }
  return null;
}

function unwrap(obj: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!obj) return null;
  if ('intent' in obj) return obj;
  const fn = isPlainObject(obj.function) ? obj.function : obj;
  for (const key of ['arguments', 'parameters']) {
    const inner = fn[key];
    const parsed = typeof inner === 'string' ? parseObject(inner) : isPlainObject(inner) ? inner : null;
    if (parsed && 'intent' in parsed) return parsed;
  }
  return null;
}

/** Scans for `{...}` spans with balanced braces (outside strings) and returns the first usable one. */
function firstBalancedObject(text: string): Record<string, unknown> | null {
  // Bounded: a few starting braces over a bounded text, so a degenerate reply cannot spin.
  let attempts = 0;
  for (let start = text.indexOf('{'); start !== -1 && attempts++ < 20; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) {
        const found = unwrap(parseObject(text.slice(start, i + 1)));
        if (found) return found;
        break;
      }
    }
  }
  return null;
}

const TEXT_LIMITS = {
  title: 500,
  description: 10_000,
  content: 100_000,
  location: 500,
  target: 500,
  new_title: 500,
  query: 500,
  instruction: 10_000,
} as const;
const MAX_TAGS = 50;
const MAX_TAG_LENGTH = 50;
const MAX_REMINDER_MINUTES = 40_320;

/**
 * Validates the arguments an LLM gave: an unknown intent becomes `general_chat`; each
 * parameter of the wrong type, out of range, too long or unreadable is dropped. Strings are
 * trimmed, enums lower-cased, `"true"`/`"15"` accepted for a boolean/integer (small models
 * write them so), tags cleaned one by one, dates brought to local wall-clock form.
 */
export function readClassification(args: Record<string, unknown>, ctx: UnderstandContext): Classification {
  const rawIntent = typeof args.intent === 'string' ? args.intent.trim().toLowerCase() : '';
  const intent = isIntent(rawIntent) ? rawIntent : 'general_chat';
  const params: IntentParams = {};

  for (const [key, limit] of Object.entries(TEXT_LIMITS) as [keyof typeof TEXT_LIMITS, number][]) {
    const value = text(args[key], limit);
    if (value !== undefined) params[key] = value;
  }
  const priority = oneOf(args.priority, PRIORITIES);
  if (priority) params.priority = priority;
  const status = oneOf(args.status, TODO_STATUSES);
  if (status) params.status = status;
  const taskType = oneOf(args.task_type, TASK_TYPES);
  if (taskType) params.task_type = taskType;

  const tags = readTags(args.tags);
  if (tags) params.tags = tags;
  const allDay = readBoolean(args.is_all_day);
  if (allDay !== undefined) params.is_all_day = allDay;
  const reminder = readInteger(args.reminder_minutes);
  if (reminder !== undefined && reminder >= 0 && reminder <= MAX_REMINDER_MINUTES)
    params.reminder_minutes = reminder;
  const rrule = readRrule(args.recurrence_rule);
  if (rrule) params.recurrence_rule = rrule;

  for (const field of DATE_PARAMS) {
    const value = args[field];
    if (typeof value !== 'string') continue;
    const local = normalizeLocalDate(value, ctx, { forwardDate: !RANGE_PARAMS.has(field) });
    if (local) params[field] = local;
  }
  return { intent, params };
}

/** Range bounds of a query may lie in the past ("what did I do on Friday"). */
const RANGE_PARAMS = new Set<DateParam>(['date_from', 'date_to']);

function text(value: unknown, limit: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.length <= limit ? trimmed : undefined;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  return (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
}

function readTags(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const tags: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string') continue;
    const tag = item.trim().replace(/^#+/, '').trim();
    if (tag.length === 0 || tag.length > MAX_TAG_LENGTH || tags.includes(tag)) continue;
    tags.push(tag);
  }
  return tags.length > 0 ? tags.slice(0, MAX_TAGS) : undefined;
}

function readBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function readInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^\d{1,6}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

const RRULE_KEYS = new Set([
  'FREQ',
  'UNTIL',
  'COUNT',
  'INTERVAL',
  'BYSECOND',
  'BYMINUTE',
  'BYHOUR',
  'BYDAY',
  'BYMONTHDAY',
  'BYYEARDAY',
  'BYWEEKNO',
  'BYMONTH',
  'BYSETPOS',
  'WKST',
]);
const RRULE_FREQS = new Set(['YEARLY', 'MONTHLY', 'WEEKLY', 'DAILY', 'HOURLY']);

/**
 * The shape of an RRULE (`KEY=VALUE;...`, known keys once each, a FREQ the server accepts);
 * the events service validates values strictly when the event is written.
 */
function readRrule(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const rule = value
    .trim()
    .replace(/^RRULE:/i, '')
    .toUpperCase();
  if (rule.length === 0 || rule.length > 500) return undefined;
  const seen = new Set<string>();
  for (const part of rule.split(';')) {
    const m = /^([A-Z]+)=([A-Z0-9,+\-:]+)$/.exec(part);
    if (!m || !RRULE_KEYS.has(m[1]!) || seen.has(m[1]!)) return undefined;
    seen.add(m[1]!);
    if (m[1] === 'FREQ' && !RRULE_FREQS.has(m[2]!)) return undefined;
  }
  return seen.has('FREQ') ? rule : undefined;
}
