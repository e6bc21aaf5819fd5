/**
 * The Expo push client (expo-server-sdk v5): chunked sends that report a ticket or an error per
 * message, and receipt look-ups. Knows nothing about the database: the notifications service
 * records tickets, removes dead tokens and retries.
 *
 * The SDK reads its base URL from `process.env.EXPO_BASE_URL` once, when it is first loaded, so
 * a per-client `baseUrl` (tests point it at a fake) is applied by an undici interceptor that
 * rewrites the origin of the SDK's requests instead.
 *
 * The SDK (and the undici it brings) is loaded at the first send, not at start: most servers
 * start long before their first push, and loading it was a tenth of the start-up time.
 */
import { createRequire } from 'node:module';
import type { Expo, ExpoPushMessage, ExpoPushReceipt, ExpoPushTicket } from 'expo-server-sdk';
import type { Dispatcher } from 'undici';

export interface PushMessage {
  to: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
}

/** One message's outcome: the ticket Expo answered, or the error of its chunk's request. */
export type PushResult =
  | { to: string; ticket: ExpoPushTicket; error?: undefined }
  | { to: string; ticket?: undefined; error: Error };

export interface PushClient {
  /** Sends in chunks of at most 100; never throws, each message gets a result (same order). */
  send(messages: PushMessage[]): Promise<PushResult[]>;
  /** Receipts by id, fetched in chunks of at most 300; ids Expo does not know yet are absent. */
  receipts(ids: string[]): Promise<Record<string, ExpoPushReceipt>>;
  close(): Promise<void>;
}

export interface PushClientOptions {
  accessToken?: string | null;
  /** e.g. `http://127.0.0.1:4010` (a fake); default the SDK's own (https://exp.host). */
  baseUrl?: string | null;
}

/**
 * The SDK's check, and something inside the brackets: the SDK accepts `ExponentPushToken[]`,
 * which no device ever has and Expo refuses on every push. What Expo issues inside the brackets
 * is a printable identifier; whitespace, control characters or brackets there are no token.
 */
const BRACKETED = /^Expo(?:nent)?PushToken\[(.*)\]$/s;
// Expo.isExpoPushToken (expo-server-sdk 5), here so that checking a token does not load the SDK.
const SDK_BRACKETED = /^Expo(?:nent)?PushToken\[.*\]$/s;
const SDK_UUID = /^[a-z\d]{8}-[a-z\d]{4}-[a-z\d]{4}-[a-z\d]{4}-[a-z\d]{12}$/i;
export const isExpoPushToken = (token: unknown): token is string => {
  if (typeof token !== 'string' || !(SDK_BRACKETED.test(token) || SDK_UUID.test(token))) return false;
  const inner = BRACKETED.exec(token)?.[1];
  return inner === undefined || /^[^\s\p{Cc}[\]]+$/u.test(inner);
};

// The undici the SDK itself loads, so the dispatcher we hand it is one it understands.
const requireFromSdk = createRequire(createRequire(import.meta.url).resolve('expo-server-sdk'));

function redirectingDispatcher(baseUrl: string): Dispatcher {
  const { Agent } = requireFromSdk('undici') as typeof import('undici');
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  return new Agent().compose(
    (dispatch) => (opts, handler) =>
      dispatch({ ...opts, origin: base.origin, path: `${prefix}${opts.path}` }, handler),
  );
}

export function createPushClient(opts: PushClientOptions = {}): PushClient {
  const dispatcher = opts.baseUrl ? redirectingDispatcher(opts.baseUrl) : undefined;
  let loaded: Promise<Expo> | null = null;
  const sdk = () =>
    (loaded ??= import('expo-server-sdk').then(
      ({ Expo }) =>
        new Expo({
          ...(opts.accessToken ? { accessToken: opts.accessToken } : {}),
          ...(dispatcher ? { httpAgent: dispatcher } : {}),
        }),
    ));

  return {
    async send(messages) {
      const expo = await sdk();
      const chunks = expo.chunkPushNotifications(
        messages.map((m): ExpoPushMessage => ({
          to: m.to,
          title: m.title,
          body: m.body,
          data: m.data,
          sound: 'default',
          priority: 'high',
        })),
      );
      // The SDK bounds concurrency itself (6 requests) and retries 429s with backoff.
      const outcomes = await Promise.allSettled(
        chunks.map((chunk) => expo.sendPushNotificationsAsync(chunk)),
      );
      const results: PushResult[] = [];
      chunks.forEach((chunk, i) => {
        const outcome = outcomes[i]!;
        chunk.forEach((message, j) => {
          const to = message.to as string;
          if (outcome.status === 'rejected') {
            results.push({
              to,
              error: outcome.reason instanceof Error ? outcome.reason : new Error(String(outcome.reason)),
            });
          } else {
            const ticket = outcome.value[j];
            results.push(
              ticket ? { to, ticket } : { to, error: new Error('Expo answered without a ticket') },
            );
          }
        });
      });
      return results;
    },

    async receipts(ids) {
      const expo = await sdk();
      const out: Record<string, ExpoPushReceipt> = {};
      for (const chunk of expo.chunkPushNotificationReceiptIds(ids))
        Object.assign(out, await expo.getPushNotificationReceiptsAsync(chunk));
      return out;
    },

    async close() {
      await dispatcher?.close();
    },
  };
}
