/** The calendar feed secret: only its SHA-256 is stored, in the settings table. */
import crypto from 'node:crypto';
import type { EventsRepository } from './events.repository.js';

const FEED_KEY_SETTING = 'calendar.feed_key_hash';

function sha256(text: string): Buffer {
  return crypto.createHash('sha256').update(text, 'utf8').digest();
}

/** Creates (or replaces, revoking the old one) the calendar feed secret; returns it once. */
export async function createFeedKey(repo: EventsRepository): Promise<string> {
  const key = crypto.randomBytes(32).toString('base64url');
  await repo.putSetting(FEED_KEY_SETTING, sha256(key).toString('hex'));
  return key;
}

/** Whether `key` is the current feed secret (hashes compared in constant time). */
export async function isFeedKey(repo: EventsRepository, key: string): Promise<boolean> {
  const stored = await repo.getSetting(FEED_KEY_SETTING);
  if (!stored) return false;
  const expected = Buffer.from(stored, 'hex');
  const actual = sha256(key);
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}
