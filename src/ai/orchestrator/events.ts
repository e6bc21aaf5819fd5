/**
 * create_event (and the "when?" it may ask first), query_events, update_event, delete_event.
 * A `create_event` without a time keeps its request in the asking message's metadata
 * (`pending`); a time given in the next message completes it (`completePending`).
 */
import { DateTime } from 'luxon';
import { itemCard, type ItemType } from '../../modules/chat/cards.js';
import type { TurnIO, TurnOutcome } from '../../modules/chat/turn-handler.js';
import type { Event, EventCreate, EventPatch } from '../../modules/events/events.schemas.js';
import type { IntentParams } from '../intents.js';
import { LIST_MAX, describeEvent, formatWhen, plural } from '../replies.js';
import { changeOptions, endKeepingLength, onItemDay, shifted } from './changes.js';
import { defined, listReply, text, withCard, type Context, type Handler, type Turn } from './context.js';
import { shown, type AnyGateway, type Gateways } from './items.js';
import { confirmDelete, saveChange, targetHandler } from './targets.js';

/** The request a `create_event` without a time keeps in the asking message's metadata. */
interface PendingEvent {
  intent: 'create_event';
  params: IntentParams;
  /** The day the first message gave (`YYYY-MM-DD`), if any. */
  day?: string;
}

const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;

function pendingOf(metadata: Record<string, unknown> | null | undefined): PendingEvent | null {
  const p = metadata?.pending;
  if (p === null || typeof p !== 'object' || !('intent' in p) || p.intent !== 'create_event') return null;
  if (!('params' in p) || p.params === null || typeof p.params !== 'object') return null;
  // Written by `create` below; read back as it was stored.
  return p as PendingEvent;
}

/** The event fields a message sets alike on a new event and in a change. */
function eventDetails(p: IntentParams) {
  return {
    description: p.description,
    location: p.location,
    is_all_day: p.is_all_day,
    reminder_minutes: p.reminder_minutes,
    recurrence_rule: p.recurrence_rule,
    tags: p.tags,
  };
}

export function eventHandlers(ctx: Context, items: Gateways, anyItems: Record<ItemType, AnyGateway>) {
  const { events } = ctx.deps;

  async function create(io: TurnIO, p: IntentParams, message: string): Promise<TurnOutcome> {
    const title = (p.title ?? message).trim().slice(0, 500);
    // No start, or a day with `is_all_day: false` (a day without its time): ask for the time.
    const dayOnly = p.start_time !== undefined && BARE_DATE.test(p.start_time) && p.is_all_day === false;
    if (!p.start_time || dayOnly) {
      const { start_time: day, ...rest } = p;
      const pending: PendingEvent = {
        intent: 'create_event',
        params: { ...rest, title },
        ...(dayOnly ? { day } : {}),
      };
      const on = dayOnly ? ` on ${formatWhen(day!, false, ctx.replyClock())}` : '';
      return text(`What time is "${title}"${on}? Tell me a time, like "3pm".`, 'create_event', {
        metadata: { pending },
      });
    }
    const input: EventCreate = {
      title,
      start_time: p.start_time,
      ...defined({ end_time: p.end_time, ...eventDetails(p) }),
    };
    const event = await events.create(input, ctx.writeCtx(io));
    return withCard(
      `Scheduled ${describeEvent(event, ctx.replyClock())}.`,
      'create_event',
      itemCard('event', 'created', event),
    );
  }

  /** `fromText`: the words, not a `choose` card, named the event, so they may say more about the change. */
  async function update(
    { io, params, message }: Turn,
    event: Event,
    fromText: boolean,
  ): Promise<TurnOutcome> {
    const opts = fromText ? changeOptions(ctx, params.start_time, message) : {};
    let p = params;
    const zone = ctx.zone();
    if (opts.keepDay) {
      const [start_time, end_time] = onItemDay(event.start_time, zone, p.start_time, p.end_time);
      p = { ...p, ...defined({ start_time, end_time }) };
    }
    if (p.start_time === undefined && p.end_time === undefined) {
      const bare = event.is_all_day;
      if (opts.shift && (!bare || opts.shift.days)) {
        p = {
          ...p,
          start_time: shifted(event.start_time, opts.shift, zone, bare),
          ...(event.end_time ? { end_time: shifted(event.end_time, opts.shift, zone, bare) } : {}),
        };
      } else if (opts.lengthMinutes && !bare) {
        const end = DateTime.fromISO(event.start_time).plus({ minutes: opts.lengthMinutes });
        p = { ...p, end_time: end.toUTC().toISO()! };
      }
    }
    // A timed event moved to a new start keeps its length ("move it to 4pm"). Said here, not left
    // to PATCH /api/events, so the chat does not depend on what a start alone does there.
    if (
      p.start_time !== undefined &&
      p.end_time === undefined &&
      event.end_time !== null &&
      !(p.is_all_day ?? BARE_DATE.test(p.start_time))
    ) {
      const end_time = endKeepingLength(
        { start_time: event.start_time, end_time: event.end_time },
        p.start_time,
        zone,
      );
      if (end_time) p = { ...p, end_time };
    }
    const patch: EventPatch = defined({
      title: p.new_title,
      start_time: p.start_time,
      end_time: p.end_time,
      ...eventDetails(p),
    });
    return saveChange(items.event, 'update_event', event, patch, (id, patch) =>
      events.update(id, patch, ctx.writeCtx(io)),
    );
  }

  return {
    /** "at 4pm" right after "When is it?": completes the pending event; anything else drops it. */
    async completePending({ io, message, history }: Turn): Promise<TurnOutcome | null> {
      const previous = history[history.length - 1];
      const pending = previous?.role === 'assistant' ? pendingOf(previous.metadata) : null;
      if (!pending) return null;
      const when = ctx.deps.readFollowUpTime(message, ctx.understandCtx(), pending.day);
      if (!when) return null;
      const { is_all_day: allDay, ...params } = pending.params;
      // A day without a time ("tomorrow"), unless all day was asked for: ask again for the time,
      // keeping the new day in the pending request.
      const dayOnly = BARE_DATE.test(when.start_time) && when.end_time === undefined;
      if (dayOnly && allDay !== true && !/\ball[\s-]?day\b/i.test(message))
        return create(
          io,
          { ...params, start_time: when.start_time, is_all_day: false },
          params.title ?? message,
        );
      return create(io, { ...params, ...when }, params.title ?? message);
    },

    create_event: {
      run: ({ io, params, message }) => create(io, params, message),
    } satisfies Handler,

    query_events: {
      async run({ params: p }) {
        const today = DateTime.fromJSDate(ctx.deps.clock.now(), { zone: ctx.zone() });
        const from = p.date_from ?? today.toISODate()!;
        // One day asked about ("what's on Friday") is that day; nothing asked is the coming week.
        const to = p.date_to ?? (p.date_from ? p.date_from : today.plus({ days: 6 }).toISODate()!);
        const { items: found, total } = await events.list({
          start_after: from,
          start_before: to,
          page: 1,
          limit: LIST_MAX,
          ...defined({ q: p.query, tag: p.tags?.[0] }),
        });
        const c = ctx.replyClock();
        return listReply('query_events', 'event', found, total, {
          none: `Nothing on your calendar${p.query ? ` matching "${p.query}"` : ''} for that time.`,
          heading: `You have ${plural(total, 'event')}`,
          describe: (e) => describeEvent(e, c),
        });
      },
    } satisfies Handler,

    update_event: targetHandler({
      intent: 'update_event',
      gateway: items.event,
      preferLive: true,
      act: update,
    }),

    delete_event: targetHandler({
      intent: 'delete_event',
      gateway: items.event,
      preferLive: true,
      anyType: anyItems,
      act: async (_turn, event) => confirmDelete(shown(items.event, event), 'delete_event'),
    }),
  };
}
