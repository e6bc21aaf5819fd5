/** Reading agent tasks over the API, and waiting for one to reach a status. */
import type { TestServer } from './server.js';
import { until } from './wait.js';

export const taskOf = (server: TestServer, id: string) =>
  server.request('GET', `/api/agent-tasks/${id}`).then((r) => r.json);

export const waitStatus = (server: TestServer, id: string, status: string) =>
  until(
    () => taskOf(server, id),
    (t) => t.status === status,
    `task ${id} to be ${status}`,
  );
