/**
 * general_chat (and regenerate): the LLM's free-form answer, streamed, with a system prompt
 * that knows the time, the zone and (AI_SHARE_CONTEXT) a glance at the owner's day.
 */
import { DateTime } from 'luxon';
import { failureOutcome, type TurnIO, type TurnOutcome } from '../../modules/chat/turn-handler.js';
import type { EventOccurrence } from '../../modules/events/events.schemas.js';
import type { Todo } from '../../modules/todos/todos.schemas.js';
import { AiUnavailableError, type ChatMessage } from '../types.js';
import { asChat, text, type Context, type Handler } from './context.js';

/** Messages of chat history given to the LLM (BEHAVIOUR.md: the last 20). */
export const CHAT_HISTORY = 20;
/**
 * Items per list in the system prompt's day: a glance fits a small model's context, and
 * building it stays cheap however many todos are overdue.
 */
const GLANCE_ITEMS = 20;

export function chatReply(ctx: Context) {
  const { deps } = ctx;

  /** At most GLANCE_ITEMS of a list, and a word that it goes on. */
  function glance<T>(items: readonly T[], line: (item: T) => string): string {
    const shown = items.slice(0, GLANCE_ITEMS).map(line).join('; ');
    return items.length > GLANCE_ITEMS ? `${shown}; and more` : shown;
  }

  const timeOfDay = (iso: string) => DateTime.fromISO(iso, { zone: ctx.zone() }).toFormat('h:mm a');

  function eventLine(e: EventOccurrence): string {
    if (e.is_all_day) return `${e.title} (all day)`;
    return `${timeOfDay(e.start_time)}${e.end_time ? `–${timeOfDay(e.end_time)}` : ''} ${e.title}`;
  }

  const taskLine = (t: Todo) =>
    t.due_date && t.due_has_time ? `${t.title} (due ${timeOfDay(t.due_date)})` : t.title;

  async function systemPrompt(): Promise<string> {
    const zone = ctx.zone();
    const now = DateTime.fromJSDate(deps.clock.now(), { zone });
    const parts = [
      'You are ClawChat, a concise and friendly personal assistant. The user manages todos, calendar events and memos with you.',
      `Now: ${now.toISO({ suppressMilliseconds: true })} (${now.toFormat('cccc')}), time zone ${zone}.`,
    ];
    if (deps.ai.shareContext) {
      // One more than shown, so a list can say that it goes on.
      const day = await deps.today.get(undefined, GLANCE_ITEMS + 1);
      parts.push(`Today's tasks: ${day.today_tasks.length ? glance(day.today_tasks, taskLine) : 'none'}.`);
      if (day.overdue_tasks.length)
        parts.push(`Overdue tasks: ${glance(day.overdue_tasks, (t) => t.title)}.`);
      parts.push(
        `Today's events: ${day.today_events.length ? glance(day.today_events, eventLine) : 'none'}.`,
      );
    }
    if (deps.ai.systemPrompt) parts.push(deps.ai.systemPrompt);
    return parts.join('\n');
  }

  /** Streams the LLM's answer to `conversation` (oldest first, ending with the user's message). */
  async function answer(io: TurnIO, conversation: ChatMessage[]): Promise<TurnOutcome> {
    if (!deps.provider.enabled)
      return failureOutcome(new AiUnavailableError('No AI provider is configured'), 'general_chat');
    const messages: ChatMessage[] = [{ role: 'system', content: await systemPrompt() }, ...conversation];
    let result;
    try {
      result = await deps.provider.streamChat(messages, {
        signal: io.signal,
        onDelta: (delta) => io.emit(delta),
      });
    } catch (err) {
      if (io.signal.aborted) return text('', 'general_chat', { status: 'stopped' });
      return failureOutcome(err, 'general_chat');
    }
    return {
      content: result.content || (result.aborted ? '' : "I don't have an answer to that."),
      intent: 'general_chat',
      usage: result.usage,
      status: result.aborted ? 'stopped' : 'complete',
      metadata: result.truncated ? { truncated: true } : undefined,
      llmAvailable: true,
    };
  }

  const general_chat: Handler = {
    run: ({ io, message, history }) =>
      answer(io, [...asChat(history).slice(-(CHAT_HISTORY - 1)), { role: 'user', content: message }]),
  };

  return { general_chat, answer };
}
