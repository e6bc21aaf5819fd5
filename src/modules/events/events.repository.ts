import { expressionBuilder, type Expression, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { DB, EventOverrideRow, EventRow, EventUpdate, NewEventRow } from '../../db/schema.js';
import { hasTag, offsetOf, whereAll } from '../common/items.js';
import type { TextMatcher } from '../search/search.repository.js';

export interface EventFilter {
  tag?: string;
  q?: string;
}

/**
 * Instants (ISO UTC text). An event overlaps [from, to) when it starts before `to` and either
 * starts at or after `from` or ends after it: a timed event without an end lasts zero minutes;
 * all-day events always store their (exclusive) end.
 */
export interface EventWindow {
  from?: string;
  to?: string;
  /** No event starting earlier overlaps the window (set from the longest one-off event). */
  startsFrom?: string;
}

export type EventsRepository = ReturnType<typeof createEventsRepository>;
type Db = Kysely<DB> | Transaction<DB>;

/** `textMatch` is the search index's matcher, so `q` means the same as in search. */
export function createEventsRepository(db: Kysely<DB>, textMatch: TextMatcher) {
  function filtered(conn: Db, f: EventFilter, w: EventWindow, recurring?: boolean) {
    const eb = expressionBuilder<DB, 'events'>();
    const conds: Expression<SqlBool>[] = [];
    if (recurring === true) conds.push(eb('recurrence_rule', 'is not', null));
    if (recurring === false) conds.push(eb('recurrence_rule', 'is', null));
    if (w.to !== undefined) conds.push(eb('start_time', '<', w.to));
    if (w.startsFrom !== undefined) conds.push(eb('start_time', '>=', w.startsFrom));
    if (w.from !== undefined)
      conds.push(eb.or([eb('start_time', '>=', w.from), eb('end_time', '>', w.from)]));
    if (f.tag !== undefined) conds.push(hasTag(eb, 'tags', f.tag));
    if (f.q !== undefined) conds.push(textMatch('event', f.q));
    return whereAll(conn.selectFrom('events'), conds);
  }

  async function page(
    f: EventFilter,
    w: EventWindow,
    recurring: boolean | undefined,
    limit: number,
    offset: number,
    trx: Db,
  ) {
    const [rows, count] = await Promise.all([
      filtered(trx, f, w, recurring)
        .selectAll()
        .orderBy('start_time')
        .orderBy('id')
        .limit(limit)
        .offset(offset)
        .execute(),
      filtered(trx, f, w, recurring)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  /**
   * A one-off event overlapping [from, ...) starts at most the longest one-off's length before
   * `from`: that lower bound turns "everything that started before the window's end" into an
   * index range (events_one_off_start). The longest length is one index probe (events_one_off_span).
   */
  async function bounded(w: EventWindow, trx: Db): Promise<EventWindow> {
    if (w.from === undefined) return w;
    const row = await trx
      .selectFrom('events')
      .select((eb) => eb.fn.max('span_ms').as('longest'))
      .where('recurrence_rule', 'is', null)
      .executeTakeFirst();
    const longest = Number(row?.longest ?? 0);
    return { ...w, startsFrom: new Date(Date.parse(w.from) - longest).toISOString() };
  }

  /** The series with their overrides attached (one read of the small overrides table). */
  async function withOverrides<R extends EventRow>(
    rows: R[],
    trx: Db,
  ): Promise<(R & { overrides: EventOverrideRow[] })[]> {
    let query = trx.selectFrom('event_overrides').selectAll();
    // A few series (one event's export): only theirs; many (the caches): the whole small table.
    if (rows.length <= 100)
      query = query.where(
        'event_id',
        'in',
        rows.map((r) => r.id),
      );
    const all = rows.length === 0 ? [] : await query.execute();
    const by = new Map<string, EventOverrideRow[]>();
    for (const o of all) by.set(o.event_id, [...(by.get(o.event_id) ?? []), o]);
    return rows.map((r) => Object.assign(r, { overrides: by.get(r.id) ?? [] }));
  }

  return {
    withOverrides: async <R extends EventRow>(rows: R[], trx: Db = db) => withOverrides(rows, trx),
    async overridesOf(id: string, trx: Db = db): Promise<EventOverrideRow[]> {
      return trx
        .selectFrom('event_overrides')
        .selectAll()
        .where('event_id', '=', id)
        .orderBy('occurrence_date')
        .execute();
    },
    async putOverride(o: EventOverrideRow, trx: Db = db): Promise<void> {
      const { event_id: _e, occurrence_date: _d, created_at: _c, ...changes } = o;
      await trx
        .insertInto('event_overrides')
        .values(o)
        .onConflict((oc) => oc.columns(['event_id', 'occurrence_date']).doUpdateSet(changes))
        .execute();
    },
    /** Every override with its series' creation time, newest series first (search hits). */
    async overridesForSearch(trx: Db = db) {
      return trx
        .selectFrom('event_overrides as o')
        .innerJoin('events as e', 'e.id', 'o.event_id')
        .selectAll('o')
        .select('e.created_at as series_created_at')
        .orderBy('e.created_at', 'desc')
        .orderBy('o.event_id')
        .orderBy('o.occurrence_date')
        .execute();
    },
    async deleteOverride(id: string, date: string, trx: Db = db): Promise<void> {
      await trx
        .deleteFrom('event_overrides')
        .where('event_id', '=', id)
        .where('occurrence_date', '=', date)
        .execute();
    },
    /** Removes the overrides of the series, all of them or those of `fromDate` and later. */
    async deleteOverrides(id: string, fromDate?: string, trx: Db = db): Promise<void> {
      let q = trx.deleteFrom('event_overrides').where('event_id', '=', id);
      if (fromDate !== undefined) q = q.where('occurrence_date', '>=', fromDate);
      await q.execute();
    },
    async insert(row: NewEventRow, trx: Db = db): Promise<void> {
      await trx.insertInto('events').values(row).execute();
    },
    async find(id: string, trx: Db = db): Promise<EventRow | undefined> {
      return trx.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /**
     * `fn` in one transaction that first takes the series' row (its `updated_at` set to `at`),
     * so changes that read a series and write it back (its exceptions, its end, an override)
     * wait for each other instead of overwriting each other.
     */
    async changeSeries<T>(id: string, at: string, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
      return db.transaction().execute(async (trx) => {
        await trx.updateTable('events').set({ updated_at: at }).where('id', '=', id).execute();
        return fn(trx);
      });
    },
    async update(id: string, patch: EventUpdate, trx: Db = db): Promise<void> {
      await trx.updateTable('events').set(patch).where('id', '=', id).execute();
    },
    async delete(id: string, trx: Db = db): Promise<boolean> {
      const res = await trx.deleteFrom('events').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    /** Series as stored (each once), overlapping the window by their first occurrence; by start, id. */
    async listSeries(f: EventFilter, w: EventWindow, pageNo: number, limit: number, trx: Db = db) {
      return page(f, w, undefined, limit, offsetOf(pageNo, limit), trx);
    },
    /** The first `limit` one-off events overlapping the window, by start, id; and how many there are. */
    async oneOffs(f: EventFilter, w: EventWindow, limit: number, trx: Db = db) {
      return page(f, await bounded(w, trx), false, limit, 0, trx);
    },
    /** Every one-off event overlapping the window, by start, id. */
    async oneOffsAll(f: EventFilter, w: EventWindow, trx: Db = db): Promise<EventRow[]> {
      return filtered(trx, f, await bounded(w, trx), false)
        .selectAll()
        .orderBy('start_time')
        .orderBy('id')
        .execute();
    },
    /** Every recurring series (whose first start is before `to`, if given), by first start. */
    async recurringBefore(f: EventFilter, to?: string, trx: Db = db) {
      const rows = await filtered(trx, f, { to }, true)
        .selectAll()
        .orderBy('start_time')
        .orderBy('id')
        .execute();
      return withOverrides(rows, trx);
    },
    /** Every recurring series with a reminder, by first start. */
    async recurringWithReminders(trx: Db = db) {
      const rows = await filtered(trx, {}, {}, true)
        .selectAll()
        .where('reminder_minutes', 'is not', null)
        .orderBy('start_time')
        .orderBy('id')
        .execute();
      return withOverrides(rows, trx);
    },
    /** Moves whenever any recurring series is written (triggers of migration 0005). */
    async seriesGeneration(trx: Db = db): Promise<string> {
      const row = await trx
        .selectFrom('series_generation')
        .select('n')
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      return String(row.n);
    },
    /** All events, for the calendar feed. */
    async all(trx: Db = db) {
      return withOverrides(
        await trx.selectFrom('events').selectAll().orderBy('start_time').orderBy('id').execute(),
        trx,
      );
    },
    async getSetting(key: string, trx: Db = db): Promise<string | undefined> {
      const row = await trx.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value;
    },
    async putSetting(key: string, value: string, trx: Db = db): Promise<void> {
      await trx
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
  };
}
