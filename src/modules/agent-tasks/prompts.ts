/**
 * What the LLM is told for a background task: one system prompt per `task_type`, the current
 * local date, the owner's extra instructions (AI_SYSTEM_PROMPT), and the originating
 * conversation's recent messages as context. The model has no tools and no web access.
 */
import { DateTime } from 'luxon';
import type { ChatMessage } from '../../ai/types.js';
import type { TaskType } from './agent-tasks.schemas.js';

const COMMON = [
  'You are the background agent of ClawChat, a personal assistant. The user handed you a task to do on your own;',
  'they are not watching, so do not ask questions: make sensible assumptions, state them briefly, and deliver the finished work.',
  'You have no tools, no web access and no access to files: work only from what you know and what the user wrote.',
  'Answer in the language of the instruction. Use plain Markdown (headings, short lists) where it helps reading.',
].join(' ');

const BY_TYPE: Record<TaskType, string> = {
  research: [
    'Task type: research.',
    'You cannot browse the web or look anything up: this research is what you already know.',
    'Say so once at the start in one short sentence, and mention that your knowledge has a cut-off date and facts that change (prices, versions, news) should be checked.',
    'Then give a structured overview: key points, the main options or positions with their trade-offs, and a short conclusion.',
    'Never invent sources, links, quotes or figures; when unsure, say so.',
  ].join(' '),
  summarize: [
    'Task type: summarize.',
    'Summarize the text or topic the user gives (or the conversation shown as context when the instruction refers to it).',
    'Lead with a one-sentence gist, then the key points as a short list, then any decisions, open questions or action items.',
    'Stay faithful to the source: add nothing that is not there.',
  ].join(' '),
  draft: [
    'Task type: draft.',
    'Write the requested piece (an e-mail, a post, a letter, a plan...) ready to use, in a tone that fits its purpose.',
    'Output the draft itself; put any placeholder the user must fill in [square brackets], and add at most one line of notes after it.',
  ].join(' '),
  custom: 'Task type: general. Do what the instruction asks as well and as completely as you can.',
};

export interface PromptOptions {
  now: Date;
  timezone: string;
  /** AI_SYSTEM_PROMPT: the owner's extra instructions. */
  extra?: string | null;
  /** The originating conversation's recent messages, oldest first. */
  context?: ChatMessage[];
}

/** The system prompt for one task type. */
export function systemPrompt(type: TaskType, o: Pick<PromptOptions, 'now' | 'timezone' | 'extra'>): string {
  const local = DateTime.fromJSDate(o.now).setZone(o.timezone);
  const parts = [COMMON, BY_TYPE[type], `Today is ${local.toFormat('cccc, d LLLL yyyy')} (${o.timezone}).`];
  if (o.extra?.trim()) parts.push(`The user's standing instructions: ${o.extra.trim()}`);
  return parts.join('\n\n');
}

const CONTEXT_CHARS = 2_000;

/** The whole request: system prompt, the conversation as context (if any), the instruction. */
export function taskMessages(type: TaskType, instruction: string, o: PromptOptions): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'system', content: systemPrompt(type, o) }];
  const context = (o.context ?? []).filter((m) => m.content.trim() !== '');
  if (context.length > 0) {
    const lines = context.map(
      (m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${clip(m.content, CONTEXT_CHARS)}`,
    );
    messages.push({
      role: 'system',
      content: `The conversation the task was asked in (most recent last), for context only:\n\n${lines.join('\n\n')}`,
    });
  }
  messages.push({ role: 'user', content: instruction });
  return messages;
}

export function clip(text: string, max: number): string {
  const flat = text.trim();
  const chars = [...flat];
  return chars.length <= max
    ? flat
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}
