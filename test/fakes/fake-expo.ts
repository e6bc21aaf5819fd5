/**
 * A fake Expo push service for tests: a real `node:http` server on 127.0.0.1 speaking the two
 * endpoints expo-server-sdk calls, `POST /--/api/v2/push/send` and
 * `POST /--/api/v2/push/getReceipts` (gzip bodies included). Point `EXPO_BASE_URL` at `fake.url`.
 *
 * ```ts
 * const expo = await startFakeExpo();
 * expo.unregister('ExponentPushToken[old]');        // its tickets say DeviceNotRegistered
 * expo.unregisterAtReceipt('ExponentPushToken[b]'); // ok ticket, DeviceNotRegistered receipt
 * expo.failNext(500);                               // the next send answers 500 (then normal)
 * expo.failNext(429, 2);                            // the next two answer 429
 * expect(expo.messages.map((m) => m.to)).toEqual([...]);
 * await expo.close();
 * ```
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export interface FakeExpoMessage {
  to: string;
  title?: string;
  body?: string;
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface FakeExpoRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  /** The HTTP status the fake answered. */
  status: number;
}

type Ticket =
  | { status: 'ok'; id: string }
  | { status: 'error'; message: string; details: { error: string; expoPushToken?: string } };

export interface FakeExpo {
  url: string;
  /** Every request, in order (failed ones included). */
  requests: FakeExpoRequest[];
  /** Every message accepted by a successful send (one per recipient), in order. */
  messages: FakeExpoMessage[];
  /** Send requests answered 200. */
  readonly sendBatches: FakeExpoMessage[][];
  /** Receipt ids asked for, per getReceipts request. */
  readonly receiptQueries: string[][];
  /** Tickets for this token are DeviceNotRegistered errors. */
  unregister(token: string): void;
  /** Tickets for this token are ok, but their receipts say DeviceNotRegistered. */
  unregisterAtReceipt(token: string): void;
  /** The next `times` send requests answer `status` with an Expo error body. */
  failNext(status: number, times?: number): void;
  /** Forgets recorded requests (scripted behaviour stays). */
  reset(): void;
  close(): Promise<void>;
}

const SEND = '/--/api/v2/push/send';
const RECEIPTS = '/--/api/v2/push/getReceipts';

export async function startFakeExpo(): Promise<FakeExpo> {
  const requests: FakeExpoRequest[] = [];
  const messages: FakeExpoMessage[] = [];
  const unregistered = new Set<string>();
  const unregisteredAtReceipt = new Set<string>();
  const failures: number[] = [];
  /** receipt id -> the token its ticket was for */
  const tickets = new Map<string, string>();
  let nextTicket = 1;

  function readBody(req: http.IncomingMessage): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('error', reject);
      req.on('end', () => {
        try {
          let buf = Buffer.concat(parts);
          if (req.headers['content-encoding'] === 'gzip') buf = zlib.gunzipSync(buf);
          resolve(buf.length ? JSON.parse(buf.toString('utf8')) : undefined);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
  }

  function reply(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  function ticketFor(to: string): Ticket {
    if (unregistered.has(to))
      return {
        status: 'error',
        message: `"${to}" is not a registered push notification recipient`,
        details: { error: 'DeviceNotRegistered', expoPushToken: to },
      };
    const id = `fake-ticket-${nextTicket++}`;
    tickets.set(id, to);
    return { status: 'ok', id };
  }

  const server = http.createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const path = (req.url ?? '').split('?')[0] ?? '';
        const record: FakeExpoRequest = { path, headers: req.headers, body, status: 200 };
        requests.push(record);
        if (req.method !== 'POST' || (path !== SEND && path !== RECEIPTS)) {
          record.status = 404;
          return reply(res, 404, {
            errors: [{ code: 'NOT_FOUND', message: `no route ${req.method} ${path}` }],
          });
        }
        if (path === SEND) {
          const failure = failures.shift();
          if (failure !== undefined) {
            record.status = failure;
            return reply(res, failure, {
              errors: [
                {
                  code: failure === 429 ? 'TOO_MANY_REQUESTS' : 'INTERNAL_SERVER_ERROR',
                  message: `scripted ${failure}`,
                },
              ],
            });
          }
          const list = (Array.isArray(body) ? body : [body]) as Array<
            FakeExpoMessage & { to: string | string[] }
          >;
          const flat: FakeExpoMessage[] = list.flatMap((m) =>
            Array.isArray(m.to) ? m.to.map((to) => ({ ...m, to })) : [{ ...m, to: m.to }],
          );
          if (flat.length > 100) {
            record.status = 400;
            return reply(res, 400, {
              errors: [{ code: 'PUSH_TOO_MANY_NOTIFICATIONS', message: 'more than 100 messages' }],
            });
          }
          messages.push(...flat);
          return reply(res, 200, { data: flat.map((m) => ticketFor(m.to)) });
        }
        const ids = ((body as { ids?: unknown })?.ids ?? []) as string[];
        const data: Record<string, unknown> = {};
        for (const id of ids) {
          const token = tickets.get(id);
          if (token === undefined) continue;
          data[id] = unregisteredAtReceipt.has(token)
            ? {
                status: 'error',
                message: `"${token}" is not a registered push notification recipient`,
                details: { error: 'DeviceNotRegistered', expoPushToken: token },
              }
            : { status: 'ok' };
        }
        return reply(res, 200, { data });
      },
      () => reply(res, 400, { errors: [{ code: 'BAD_REQUEST', message: 'invalid body' }] }),
    );
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    messages,
    get sendBatches() {
      return requests
        .filter((r) => r.path === SEND && r.status === 200)
        .map((r) => (Array.isArray(r.body) ? (r.body as FakeExpoMessage[]) : [r.body as FakeExpoMessage]));
    },
    get receiptQueries() {
      return requests
        .filter((r) => r.path === RECEIPTS)
        .map((r) => (r.body as { ids?: string[] })?.ids ?? []);
    },
    unregister: (token) => void unregistered.add(token),
    unregisterAtReceipt: (token) => void unregisteredAtReceipt.add(token),
    failNext(status, times = 1) {
      for (let i = 0; i < times; i++) failures.push(status);
    },
    reset() {
      requests.length = 0;
      messages.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
