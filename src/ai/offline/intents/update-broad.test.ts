/**
 * The broad reading of a change, used when the intent model says a message changes an item and
 * the precise update rules found none (read-as.ts). Run directly, and through the whole offline
 * understander with the shipped model.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';

import type { UnderstandContext } from '../../intents.js';
import { readByRules } from './rules.js';
import { understandOffline } from '../understand.js';
import { readBroadUpdate } from './update-broad.js';

// Monday 2025-03-10 09:00 in Seoul.
const seoul: UnderstandContext = {
  now: DateTime.fromISO('2025-03-10T09:00', { zone: 'Asia/Seoul' }).toJSDate(),
  timezone: 'Asia/Seoul',
};

describe('readBroadUpdate', () => {
  it('names the item and carries the change a param can hold', () => {
    expect(readBroadUpdate('update_event', 'make the yoga class weekly', seoul)).toEqual({
      intent: 'update_event',
      params: { target: 'yoga class', recurrence_rule: 'FREQ=WEEKLY' },
    });
    // "#weekend" is a tag, not a date.
    expect(readBroadUpdate('update_todo', "give 'wash car' the tag #weekend", seoul)).toEqual({
      intent: 'update_todo',
      params: { target: 'wash car', tags: ['weekend'] },
    });
    // The last priority said wins; a negated one is no answer.
    expect(readBroadUpdate('update_todo', "that water bill task isn't urgent, make it low", seoul)).toEqual({
      intent: 'update_todo',
      params: { target: 'water bill', priority: 'low' },
    });
  });

  it('reads the new text of a memo, without the edit verb', () => {
    expect(readBroadUpdate('update_memo', 'the grocery memo: add yogurt and honey', seoul)).toEqual({
      intent: 'update_memo',
      params: { target: 'grocery', content: 'yogurt and honey' },
    });
    expect(
      readBroadUpdate('update_memo', "the wifi note has the old password, it's now maple2027", seoul)?.params,
    ).toEqual({ target: 'wifi', content: 'maple2027' });
  });

  it('gives up when no item is named, so the rules keep their answer', () => {
    expect(readBroadUpdate('update_todo', 'how are you today', seoul)).toBeUndefined();
    expect(readBroadUpdate('update_event', 'make it weekly', seoul)).toBeUndefined();
  });
});

describe('a change the precise rules miss, through the whole understander', () => {
  it('becomes an update of the named item instead of a new todo', () => {
    const text = 'make the yoga class weekly';
    // The precise rules alone take it for something else; the model and the broad reading fix it.
    expect(readByRules(text, seoul).intent).not.toBe('update_event');
    const got = understandOffline(text, seoul);
    expect(got.intent).toBe('update_event');
    expect(got.params).toEqual({ target: 'yoga class', recurrence_rule: 'FREQ=WEEKLY' });
  });
});
