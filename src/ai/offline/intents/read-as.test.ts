/** Reading a message as the intent the model chose, when the rules read it otherwise. */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';

import type { Intent, UnderstandContext } from '../../intents.js';
import { readAs } from './read-as.js';
import { readByRules } from './rules.js';

const seoul: UnderstandContext = {
  now: DateTime.fromISO('2025-03-10T09:00', { zone: 'Asia/Seoul' }).toJSDate(),
  timezone: 'Asia/Seoul',
};

const as = (intent: Intent, text: string) => {
  const { sure: _sure, ...rules } = readByRules(text, seoul);
  return readAs(intent, text, seoul, rules);
};

describe('readAs', () => {
  it('finds the done item behind words that only say it is done', () => {
    expect(as('complete_todo', 'tick the dishes')).toEqual({
      intent: 'complete_todo',
      params: { target: 'dishes' },
    });
    expect(as('complete_todo', "that's the groceries sorted")?.params).toEqual({ target: 'groceries' });
    expect(as('complete_todo', 'I finished it: deploy the hotfix')?.params).toEqual({
      target: 'deploy the hotfix',
    });
  });

  it('keeps the kind of item a change names over the kind the model guessed', () => {
    expect(
      as('update_event', 'the dishwasher repair todo needs to be done by wednesday instead')?.intent,
    ).toBe('update_todo');
    expect(as('update_todo', 'the book club meeting should repeat every first thursday')?.intent).toBe(
      'update_event',
    );
  });
});
