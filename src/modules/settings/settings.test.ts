import { describe, expect, it } from 'vitest';
import { makeTempDir, startTestServer } from '../../../test/helpers/server.js';

describe('settings', () => {
  it('starts from TIMEZONE/BRIEFING_TIME, persists changes across a restart, validates', async () => {
    const dataDir = makeTempDir();
    const s = await startTestServer({ dataDir, timezone: 'Europe/Berlin' });
    expect((await s.request('GET', '/api/settings')).json).toMatchObject({
      timezone: 'Europe/Berlin',
      briefing_time: '08:00',
    });
    const patched = await s.request('PATCH', '/api/settings', {
      timezone: 'Asia/Seoul',
      briefing_time: '07:30',
    });
    expect(patched.json).toMatchObject({ timezone: 'Asia/Seoul', briefing_time: '07:30' });
    for (const body of [
      { timezone: 'Mars/Olympus' },
      { briefing_time: '25:00' },
      { briefing_time: '7:30' },
      { timezone: 5 },
    ]) {
      const bad = await s.request('PATCH', '/api/settings', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.json.error.code).toBe('VALIDATION_ERROR');
    }
    // The new zone is used to read local times.
    const todo = await s.request('POST', '/api/todos', { title: 'x', due_date: '2026-05-01T09:00:00' });
    expect(todo.json.due_date).toBe('2026-05-01T00:00:00.000Z');
    await s.close();

    const again = await startTestServer({ dataDir, timezone: 'Europe/Berlin' });
    expect((await again.request('GET', '/api/settings')).json).toMatchObject({
      timezone: 'Asia/Seoul',
      briefing_time: '07:30',
    });
    await again.close();
  });
});
