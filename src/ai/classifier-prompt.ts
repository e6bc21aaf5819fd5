/**
 * What the classifier sends: the `classify_intent` tool (a JSON schema with enums) and the
 * system prompt. The fixed instructions come first and the moment-specific part (date-time,
 * recent turns) last, so servers that cache prompt prefixes (Ollama, OpenAI) can reuse them.
 */
import type {
  ChatCompletionFunctionTool,
  ChatCompletionNamedToolChoice,
} from 'openai/resources/chat/completions';
import { DateTime } from 'luxon';
import { INTENTS, PRIORITIES, TASK_TYPES, TODO_STATUSES } from './intents.js';
import type { ChatMessage } from './types.js';

export const CLASSIFY_TOOL_NAME = 'classify_intent';

const LOCAL_MOMENT = 'local date-time YYYY-MM-DDTHH:mm:ss, no offset';

export const CLASSIFY_TOOL: ChatCompletionFunctionTool = {
  type: 'function',
  function: {
    name: CLASSIFY_TOOL_NAME,
    description: "Record the intent of the user's latest message and the parameters it states.",
    parameters: {
      type: 'object',
      properties: {
        intent: { type: 'string', enum: [...INTENTS], description: 'What the user wants.' },
        title: { type: 'string', description: 'Title of a new todo, event or memo.' },
        description: { type: 'string', description: 'Longer notes for a todo or event.' },
        content: { type: 'string', description: 'Text of a memo.' },
        due_date: {
          type: 'string',
          description: `Todo due: YYYY-MM-DD, or ${LOCAL_MOMENT} when a time is said.`,
        },
        priority: { type: 'string', enum: [...PRIORITIES] },
        tags: { type: 'array', items: { type: 'string' }, description: 'Short labels, without #.' },
        status: {
          type: 'string',
          enum: [...TODO_STATUSES],
          description: 'Todo status to set or to filter by.',
        },
        start_time: {
          type: 'string',
          description: `Event start: ${LOCAL_MOMENT}; YYYY-MM-DD for an all-day event.`,
        },
        end_time: { type: 'string', description: `Event end: ${LOCAL_MOMENT}.` },
        location: { type: 'string' },
        is_all_day: { type: 'boolean' },
        reminder_minutes: {
          type: 'integer',
          minimum: 0,
          maximum: 40320,
          description: 'Remind this many minutes before the start.',
        },
        recurrence_rule: {
          type: 'string',
          description: 'RFC 5545 RRULE without the RRULE: prefix, e.g. FREQ=WEEKLY;BYDAY=MO.',
        },
        target: {
          type: 'string',
          description:
            'Words identifying the existing item to change, complete or delete, e.g. "the dentist appointment".',
        },
        new_title: { type: 'string', description: 'The new title when renaming an item.' },
        query: { type: 'string', description: 'Words to search for, or to filter a list by.' },
        date_from: {
          type: 'string',
          description: 'Start of a date range asked about: YYYY-MM-DD or a local date-time.',
        },
        date_to: {
          type: 'string',
          description: 'End of a date range asked about (inclusive): YYYY-MM-DD or a local date-time.',
        },
        task_type: { type: 'string', enum: [...TASK_TYPES], description: 'Kind of background task.' },
        instruction: { type: 'string', description: 'What the background task should do, in full.' },
      },
      required: ['intent'],
      additionalProperties: false,
    },
  },
};

export const CLASSIFY_TOOL_CHOICE: ChatCompletionNamedToolChoice = {
  type: 'function',
  function: { name: CLASSIFY_TOOL_NAME },
};

const INSTRUCTIONS = `You read messages sent to ClawChat, a personal assistant that keeps the user's todos, calendar events and memos. Do not answer the message: classify the user's LATEST message by calling the tool ${CLASSIFY_TOOL_NAME} once, with the intent and every parameter the message states or clearly implies. Leave out parameters that are not given.

Intents:
- general_chat: conversation, questions, advice, anything that is not one of the others
- create_todo: a task to do ("add buy milk tomorrow", "remind me to call mom at 6pm")
- query_todos / query_events / query_memos: show or list items ("what's on my calendar this week", "my open tasks")
- update_todo / update_event / update_memo: change an existing item ("move the dentist to Friday")
- complete_todo: mark a todo done ("mark buy milk as done")
- delete_todo / delete_event / delete_memo: remove an item
- create_event: something at a time ("meeting with Haechan tomorrow at 3pm for an hour")
- create_memo: information to keep ("note: the wifi password is ...")
- search: find something across everything ("search VLA")
- delegate_task: work for a background agent to do (research, summarize, draft)
- daily_briefing: a summary of the day ("brief me")

Parameters: title, description, content (memo text), due_date, priority (low|medium|high|urgent), tags (array of strings), status (pending|in_progress|completed|cancelled), start_time, end_time, location, is_all_day (true/false), reminder_minutes (0-40320), recurrence_rule (RRULE like FREQ=WEEKLY;BYDAY=MO), target, new_title, query, date_from, date_to, task_type (research|summarize|draft|custom), instruction.

Dates and times are the user's local wall-clock time, never with an offset or Z: YYYY-MM-DDTHH:mm:ss for a moment, YYYY-MM-DD for a whole day (an all-day event, a due day without a time). Work out "today", "tomorrow", "Friday", "in 2 hours" from the current local date-time below. An event "for an hour" ends one hour after its start.
To change, complete or delete an item, put the words that identify it in target; when the message says "it", "that" or "the last one", use the title of the item from the recent conversation.
If you cannot call the tool, reply with only the JSON object of its arguments, for example {"intent": "create_todo", "title": "Buy milk", "due_date": "2026-03-03"}.`;

/** Appended for the retry in JSON mode (`response_format: json_object`). */
export const JSON_MODE_INSTRUCTION = `Reply with only one JSON object, no other text: {"intent": <one of the intents>, ...the parameters the message gives}.`;

const HISTORY_TURNS = 6;
const HISTORY_CHARS = 400;

/** The classifier's system prompt: instructions, the local date-time, the recent turns. */
export function buildClassifierSystemPrompt(input: {
  now: Date;
  timezone: string;
  history: ChatMessage[];
}): string {
  const now = DateTime.fromJSDate(input.now, { zone: input.timezone });
  const week = Array.from({ length: 7 }, (_, i) => now.plus({ days: i + 1 }))
    .map((d) => `${d.toFormat('ccc')} ${d.toISODate()}`)
    .join(', ');
  const lines = [
    INSTRUCTIONS,
    '',
    `Current local date-time: ${now.toFormat("yyyy-MM-dd'T'HH:mm:ssZZ")} (${now.toFormat('cccc')}), time zone ${input.timezone}.`,
    `Today is ${now.toFormat('cccc')} ${now.toISODate()}. The next days: ${week}.`,
  ];
  const turns = input.history.filter((m) => m.role !== 'system').slice(-HISTORY_TURNS);
  if (turns.length > 0) {
    lines.push('', 'Recent conversation, oldest first:');
    for (const turn of turns) {
      const text = turn.content.replace(/\s+/g, ' ').trim();
      const short = text.length > HISTORY_CHARS ? `${text.slice(0, HISTORY_CHARS)}…` : text;
      lines.push(`${turn.role === 'user' ? 'User' : 'Assistant'}: ${short}`);
    }
  }
  return lines.join('\n');
}
