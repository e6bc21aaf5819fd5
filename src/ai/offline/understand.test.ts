import { describe, expect, it } from 'vitest';

import { targetMatches } from './target-match.js';
import { ctxAt, understand, reads, readsParams, readsSome } from '../../../test/helpers/understand.js';

// Ten minutes before midnight, at the end of a month.
const lateSeoul = ctxAt('2026-04-29T23:50', 'Asia/Seoul');
// New York, 00:30 on the night clocks jump from 02:00 to 03:00.
const springForward = ctxAt('2025-03-09T00:30', 'America/New_York');

/** Each of `texts` is read as `intent`, whatever its params. */
function readsIntent(intent: string, texts: string[]): void {
  for (const text of texts) expect(understand(text).intent, text).toBe(intent);
}

describe('create_todo', () => {
  it('cleans the title and keeps a bare due date when no time was given', () => {
    reads('add buy milk tomorrow', 'create_todo', { title: 'buy milk', due_date: '2025-03-11' });
    readsSome('remind me to pay rent on the 1st', { title: 'pay rent', due_date: '2025-04-01' });
    readsSome('I need to renew my visa in two weeks', { title: 'renew my visa', due_date: '2025-03-24' });
    expect(understand('pay the water bill the day after tomorrow').params.due_date).toBe('2025-03-12');
    expect(understand('add buy wrapping paper by Dec 24').params.due_date).toBe('2025-12-24');
    expect(understand('todo: mail the package 12/24').params.due_date).toBe('2025-12-24');
    expect(understand('remind me to send the cards on 24 December').params.due_date).toBe('2025-12-24');
  });

  it('gives a local date-time when a time was given', () => {
    readsParams('remind me to call mom at 6pm', { title: 'call mom', due_date: '2025-03-10T18:00:00' });
    // 08:00 has passed at 09:00, so "at 8am" is tomorrow.
    expect(understand('remind me to stretch at 8am').params.due_date).toBe('2025-03-11T08:00:00');
    expect(understand('Remind me to call the dentist tomorrow at 14:30').params.due_date).toBe(
      '2025-03-11T14:30:00',
    );
    expect(understand('remind me at noon to eat').params.due_date).toBe('2025-03-10T12:00:00');
    expect(understand('add water the plants tomorrow morning').params.due_date).toBe('2025-03-11T09:00:00');
    expect(understand('remind me to check the oven in 30 minutes').params.due_date).toBe(
      '2025-03-10T09:30:00',
    );
    readsParams('tomorrow at 8am remind me to take my vitamins', {
      title: 'take my vitamins',
      due_date: '2025-03-11T08:00:00',
    });
  });

  it('reads "tonight" as tonight even when it is late, and crosses midnight for "in 30 minutes"', () => {
    expect(understand('remind me to take out the trash tonight', lateSeoul).params.due_date).toBe(
      '2026-04-29T23:59:00',
    );
    expect(understand('remind me in 30 minutes to lock the door', lateSeoul).params.due_date).toBe(
      '2026-04-30T00:20:00',
    );
    expect(understand('remind me to call mom at 6pm', lateSeoul).params.due_date).toBe('2026-04-30T18:00:00');
    expect(understand('add pay rent on the 1st', lateSeoul).params.due_date).toBe('2026-05-01');
  });

  it('counts "in 2 hours" in real time across a DST jump', () => {
    // 00:30 EST + 2h is 03:30 EDT: 02:xx does not exist that night.
    expect(understand('remind me in 2 hours to feed the cat', springForward).params.due_date).toBe(
      '2025-03-09T03:30:00',
    );
  });

  it('extracts priority and tags and drops them from the title', () => {
    readsParams('urgent: fix the login bug', { title: 'fix the login bug', priority: 'urgent' });
    readsSome('add renew car insurance, high priority', { priority: 'high', title: 'renew car insurance' });
    readsSome('add low priority clean the garage', { priority: 'low', title: 'clean the garage' });
    readsSome('add pay the electricity bill tomorrow #bills #Home', {
      title: 'pay the electricity bill',
      tags: ['bills', 'home'],
    });
    // The web app's quick-add shorthand: "!high" is a priority, "#home" a tag.
    reads('pay rent friday !high #home', 'create_todo', {
      title: 'pay rent',
      due_date: '2025-03-14',
      priority: 'high',
      tags: ['home'],
    });
    readsParams('!urgent fix the login bug', { title: 'fix the login bug', priority: 'urgent' });
    // An adjective inside the title is not a priority.
    readsParams('reply to the urgent email from Jun', { title: 'reply to the urgent email from Jun' });
  });

  it('keeps event words that belong to a todo title', () => {
    expect(understand('add prepare the agenda for the board meeting tomorrow')).toMatchObject({
      intent: 'create_todo',
      params: { title: 'prepare the agenda for the board meeting' },
    });
    readsIntent('create_todo', [
      'remind me to join the meeting prep call at noon',
      'add call the bank in 2 hours',
      'add review pull requests today',
      'remind me to cancel the Netflix subscription',
    ]);
  });
});

describe('create_event', () => {
  it('reads start, duration and range', () => {
    reads('meeting with Haechan tomorrow at 3pm for an hour', 'create_event', {
      title: 'meeting with Haechan',
      start_time: '2025-03-11T15:00:00',
      end_time: '2025-03-11T16:00:00',
    });
    readsSome('schedule a 45 minute call with support tomorrow at 3pm', {
      title: 'call with support',
      end_time: '2025-03-11T15:45:00',
    });
    readsSome('schedule a design review tomorrow from 2 to 4pm', {
      start_time: '2025-03-11T14:00:00',
      end_time: '2025-03-11T16:00:00',
    });
    expect(understand('Meeting with Prof. Lee tomorrow between 2 and 3pm').params.end_time).toBe(
      '2025-03-11T15:00:00',
    );
    // "at 3" without am/pm is an afternoon hour when scheduling; "dinner at 8" an evening one.
    expect(understand('coffee with Mina at 3').params.start_time).toBe('2025-03-10T15:00:00');
    expect(understand('dinner with Jiho at 8 on friday').params.start_time).toBe('2025-03-14T20:00:00');
  });

  it('keeps the duration in real minutes across a DST jump', () => {
    readsSome(
      'night shift at 1am for 2 hours',
      { start_time: '2025-03-09T01:00:00', end_time: '2025-03-09T04:00:00' },
      springForward,
    );
  });

  it('tells a place from a time after "at"', () => {
    expect(
      understand('meeting with Haechan and Yuna tomorrow at 4pm at the main office').params,
    ).toMatchObject({
      title: 'meeting with Haechan and Yuna',
      start_time: '2025-03-11T16:00:00',
      location: 'main office',
    });
    readsSome('meeting with Soojin at 14:30 in room 4', {
      start_time: '2025-03-10T14:30:00',
      location: 'room 4',
    });
    expect(understand('meeting with the design team at 4pm').params.location).toBeUndefined();
  });

  it('makes all-day events with a bare date', () => {
    readsParams('all-day workshop next monday', {
      title: 'workshop',
      is_all_day: true,
      start_time: '2025-03-17',
    });
    readsSome('vacation from Dec 22 to Jan 2', {
      is_all_day: true,
      start_time: '2025-12-22',
      end_time: '2026-01-03T00:00:00',
    });
    // A day without a time is not all-day: the orchestrator asks for the time.
    readsSome('lunch with Sam on friday', { start_time: '2025-03-14', is_all_day: false });
  });

  it('writes simple recurrences with the first occurrence as start', () => {
    readsSome('schedule a 1:1 with Yuna every monday at 10am', {
      title: '1:1 with Yuna',
      start_time: '2025-03-10T10:00:00',
      recurrence_rule: 'FREQ=WEEKLY;BYDAY=MO',
    });
    readsSome('Team sync every weekday at 8:30am', {
      start_time: '2025-03-11T08:30:00',
      recurrence_rule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
    });
    expect(understand('Daily standup at 9:30am').params.recurrence_rule).toBe('FREQ=DAILY');
    expect(understand('Therapy every other Tuesday at 4pm').params.recurrence_rule).toBe(
      'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU',
    );
  });

  it('puts a weekday said on that weekday today, unless its time has passed', () => {
    expect(understand('interview with Acme on monday at 11am').params.start_time).toBe('2025-03-10T11:00:00');
    expect(understand('dentist on monday at 8am').params.start_time).toBe('2025-03-17T08:00:00');
    expect(understand('lunch with Mina next wednesday at 12:30pm').params.start_time).toBe(
      '2025-03-19T12:30:00',
    );
  });
});

describe('create_memo', () => {
  it('keeps the content and an explicit title', () => {
    reads('note: the wifi password is hunter2', 'create_memo', { content: 'the wifi password is hunter2' });
    readsParams('save a note about the recipe: 2 eggs, 1 cup flour', {
      title: 'recipe',
      content: '2 eggs, 1 cup flour',
    });
    expect(understand('remember that the spare key is under the blue pot').params.content).toBe(
      'the spare key is under the blue pot',
    );
    expect(understand('the garage door code is 4452, save that').params.content).toBe(
      'the garage door code is 4452',
    );
    // "remember to" is a todo, "remember that" a memo.
    expect(understand('remember to buy milk').intent).toBe('create_todo');
  });
});

describe('complete, delete and update', () => {
  it('strips articles and type words from targets so they match the item', () => {
    const cases: Array<[string, string, string]> = [
      ['mark the grocery shopping task as complete', 'complete_todo', 'grocery shopping'],
      ['complete the quarterly report', 'complete_todo', 'write the quarterly report'],
      ['finished calling the bank', 'complete_todo', 'call the bank'],
      ['I paid the electricity bill', 'complete_todo', 'pay the electricity bill'],
      ['remove my memo about the router', 'delete_memo', 'router admin password is admin'],
      ['delete the note about the gate code', 'delete_memo', 'gate code'],
      ['cancel the meeting with Jun', 'delete_event', 'meeting with Jun'],
      ['remove the team dinner from my calendar', 'delete_event', 'team dinner'],
      ['delete the todo clean the fridge', 'delete_todo', 'clean the fridge'],
      ["delete tomorrow's standup", 'delete_event', 'team standup'],
    ];
    for (const [text, intent, title] of cases) {
      const got = understand(text);
      expect(got.intent, text).toBe(intent);
      expect(targetMatches(got.params.target ?? '', title), `${text} -> ${got.params.target}`).toBe(true);
    }
  });

  it('reads the change', () => {
    reads('rename buy paint to buy blue paint', 'update_todo', {
      target: 'buy paint',
      new_title: 'buy blue paint',
    });
    readsParams('change the priority of file taxes to urgent', { target: 'file taxes', priority: 'urgent' });
    reads('move the due date of the essay draft to friday', 'update_todo', {
      target: 'essay draft',
      due_date: '2025-03-14',
    });
    reads('reschedule the budget meeting to tomorrow at 4pm', 'update_event', {
      target: 'budget meeting',
      start_time: '2025-03-11T16:00:00',
    });
    readsParams('move my dentist appointment to 3pm on Thursday', {
      target: 'dentist appointment',
      start_time: '2025-03-13T15:00:00',
    });
    readsParams('change the location of the book club to the library', {
      target: 'book club',
      location: 'library',
    });
    readsParams('mark the laundry as in progress', { target: 'laundry', status: 'in_progress' });
    reads('update my note about the wifi: the new password is tiger77', 'update_memo', {
      target: 'wifi',
      content: 'the new password is tiger77',
    });
  });

  it('leaves words that only refer to the conversation for the orchestrator', () => {
    reads('delete it', 'delete_todo', { target: 'it' });
    reads('mark the last one as done', 'complete_todo', { target: 'the last one' });
  });

  it('does not mistake chores for deletions or a deadline for a completion', () => {
    readsIntent('create_todo', [
      'drop off the parcel at the post office',
      'take out the trash tonight',
      'complete the tax form by friday',
    ]);
  });
});

describe('queries', () => {
  it('sets inclusive local date ranges', () => {
    reads("what's on my calendar this week", 'query_events', {
      date_from: '2025-03-10',
      date_to: '2025-03-16',
    });
    readsParams('show my calendar for next week', { date_from: '2025-03-17', date_to: '2025-03-23' });
    readsParams('what meetings do I have tomorrow', { date_from: '2025-03-11', date_to: '2025-03-11' });
    readsParams('do I have anything scheduled on friday', { date_from: '2025-03-14', date_to: '2025-03-14' });
    reads("what's on my plate today", 'query_todos', { date_from: '2025-03-10', date_to: '2025-03-10' });
  });

  it('expresses overdue as pending and due before now', () => {
    reads('what tasks are overdue', 'query_todos', { status: 'pending', date_to: '2025-03-10T09:00:00' });
  });

  it('reads status, priority and text filters', () => {
    readsParams('show my high priority tasks', { priority: 'high' });
    readsParams('list my completed tasks', { status: 'completed' });
    reads('what notes do I have about wifi', 'query_memos', { query: 'wifi' });
    reads('When is my dentist appointment?', 'query_events', { query: 'dentist appointment' });
  });
});

describe('search, delegation, briefing and chat', () => {
  it('finds the search text', () => {
    reads('search VLA', 'search', { query: 'VLA' });
    expect(understand('find anything about the Berlin trip').params.query).toBe('Berlin trip');
    expect(understand('look for notes mentioning kimchi').params.query).toBe('kimchi');
    expect(understand('search my stuff for passport').params.query).toBe('passport');
    // Listing a collection is a query, not a search.
    expect(understand('find my overdue tasks').intent).toBe('query_todos');
  });

  it('delegates research, summaries and drafts with the whole instruction', () => {
    reads('research the latest VLA papers and summarize them', 'delegate_task', {
      instruction: 'research the latest VLA papers and summarize them',
      task_type: 'research',
    });
    expect(understand('summarize the latest news about Nvidia').params.task_type).toBe('summarize');
    expect(understand('draft a blog post about our launch').params.task_type).toBe('draft');
    expect(understand('brainstorm names for my cat').params.task_type).toBe('custom');
  });

  it('knows the briefing and leaves everything else to chat', () => {
    readsIntent('daily_briefing', [
      'brief me',
      'morning briefing please',
      "what's my day look like",
      'good morning, brief me',
    ]);
    for (const text of [
      "what's the meaning of life",
      'explain quantum computing simply',
      'how are you',
      'thanks!',
      'what is a meeting agenda?',
      'how do I cancel a subscription on iOS',
      "what's the weather tomorrow?",
    ]) {
      expect(understand(text), text).toEqual({ intent: 'general_chat', params: {} });
    }
  });
});
