/**
 * The frame map is the one source of the frame documentation: GET /openapi.json publishes
 * `components.schemas.ServerFrame`, one member per frame type of API.md, each `type` a constant
 * and its `data` documented (module shapes by reference). Clients generate their frame types
 * from it (openapi-typescript), so a frame missing here would be missing there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/server.js';

const API_FRAME_TYPES = [
  'stream_start',
  'stream_chunk',
  'stream_end',
  'action_card',
  'notification',
  'module_data_changed',
  'conversation_updated',
  'message_created',
  'message_updated',
  'message_deleted',
  'agent_task_updated',
  'error',
  'typing',
  'pong',
];
/** The frames the ClawChat apps listen for, sent beside ours (COMPAT.md). */
const APP_FRAME_TYPES = [
  'reminder',
  'daily_briefing',
  'task_progress',
  'task_completed',
  'task_failed',
  'stream_error',
];

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s.close());

describe('ServerFrame in the OpenAPI document', () => {
  it('has one member per API.md and COMPAT.md frame type, each with its data', async () => {
    const doc = (await s.request('GET', '/openapi.json')).json;
    const frame = doc.components.schemas.ServerFrame;
    const members: any[] = frame.anyOf ?? frame.oneOf;
    const types = members.map((m) => m.properties.type.enum?.[0] ?? m.properties.type.const);
    expect([...types].sort()).toEqual([...API_FRAME_TYPES, ...APP_FRAME_TYPES].sort());
    for (const m of members) expect(m.required).toEqual(['type', 'data']);

    const byType = Object.fromEntries(members.map((m, i) => [types[i], m.properties.data]));
    expect(Object.keys(byType.stream_chunk.properties).sort()).toEqual(['content', 'index', 'message_id']);
    expect(byType.module_data_changed.properties.module.enum).toEqual([
      'todos',
      'events',
      'memos',
      'agent_tasks',
    ]);
    // Module shapes by reference, resolvable in the same document.
    const refOf = (schema: any) => String(schema.$ref).split('/').pop()!;
    expect(refOf(byType.message_created)).toBe('ChatMessage');
    expect(refOf(byType.action_card)).toBe('ActionCard');
    expect(refOf(byType.agent_task_updated)).toBe('AgentTask');
    for (const name of ['ChatMessage', 'ActionCard', 'AgentTask', 'Conversation'])
      expect(doc.components.schemas[name]).toBeDefined();
  });
});
