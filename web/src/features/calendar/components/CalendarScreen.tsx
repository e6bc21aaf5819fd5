/** The calendar: month, week and day in the owner's zone, with the event dialog and the ICS link. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { errorMessage } from '../../../lib/api';
import { isSeries, useChangeEvent } from '../api/changes';
import { useEventsWindow, type Occurrence } from '../api/events';
import { useOwnerZone } from '../api/zone';
import { addDays, addMonths, dayLabel, dayOf, monthGrid, startOfWeek, zonedToMs } from '../dates';
import { useCalendarRealtime } from '../hooks/useCalendarRealtime';
import { byDay } from '../layout';
import { EventDialog, type DialogState } from './EventDialog';
import { FeedLink } from './FeedLink';
import { MonthView } from './MonthView';
import { TimeGrid, type Move } from './TimeGrid';
import '../calendar.css';

type View = 'month' | 'week' | 'day';
const VIEWS: [View, string][] = [
  ['month', 'Month'],
  ['week', 'Week'],
  ['day', 'Day'],
];

function daysFor(view: View, cursor: string): string[] {
  if (view === 'month') return monthGrid(cursor);
  if (view === 'week') return Array.from({ length: 7 }, (_, i) => addDays(startOfWeek(cursor), i));
  return [cursor];
}

function Calendar({ tz }: { tz: string }) {
  const params = new URLSearchParams(location.search);
  const today = dayOf(Date.now(), tz);
  const [view, setView] = useState<View>(() => {
    const v = params.get('view');
    return v === 'month' || v === 'week' || v === 'day' ? v : window.innerWidth < 640 ? 'day' : 'week';
  });
  const [cursor, setCursor] = useState(() => {
    const d = params.get('date');
    return d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? d : today;
  });
  const [dialog, setDialog] = useState<DialogState | null>(null);
  const change = useChangeEvent(tz);
  useCalendarRealtime();

  useEffect(() => {
    history.replaceState(history.state, '', `/calendar?view=${view}&date=${cursor}`);
  }, [view, cursor]);

  const days = useMemo(() => daysFor(view, cursor), [view, cursor]);
  const start = new Date(zonedToMs(days[0]!, 0, tz)).toISOString();
  const end = new Date(zonedToMs(addDays(days.at(-1)!, 1), 0, tz)).toISOString();
  const events = useEventsWindow(start, end);
  const grouped = useMemo(() => byDay(events.data ?? [], tz, new Set(days)), [events.data, tz, days]);

  const step = (n: number) =>
    setCursor(view === 'month' ? addMonths(cursor, n) : addDays(cursor, n * (view === 'week' ? 7 : 1)));
  const title =
    view === 'month'
      ? dayLabel(cursor, { month: 'long', year: 'numeric' })
      : view === 'week'
        ? `${dayLabel(days[0]!, { day: 'numeric', month: 'short' })} – ${dayLabel(days[6]!, { day: 'numeric', month: 'short', year: 'numeric' })}`
        : dayLabel(cursor, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
  const openDay = (d: string) => (setCursor(d), setView('day'));
  const newAt = (startMs: number, allDay: boolean) =>
    setDialog({ kind: 'new', start: startMs, end: startMs + 3_600_000, allDay });
  const open = (o: Occurrence) => setDialog({ kind: 'edit', o });
  const moved = ({ o, start: s, end: e }: Move) => {
    const body = { start_time: new Date(s).toISOString(), end_time: new Date(e).toISOString() };
    if (isSeries(o)) setDialog({ kind: 'move', o, body });
    else change.mutate({ o, body, scope: null });
  };
  const count = events.data?.length ?? 0;

  return (
    <main class="calendar">
      <div class="cal-toolbar">
        <h1>{title}</h1>
        <div class="cal-nav">
          <button type="button" onClick={() => step(-1)} aria-label={`Previous ${view}`}>
            ‹
          </button>
          <button type="button" onClick={() => setCursor(today)}>
            Today
          </button>
          <button type="button" onClick={() => step(1)} aria-label={`Next ${view}`}>
            ›
          </button>
        </div>
        <div class="cal-views" role="group" aria-label="View">
          {VIEWS.map(([v, l]) => (
            <button
              type="button"
              key={v}
              aria-pressed={view === v}
              class={view === v ? 'on' : ''}
              onClick={() => setView(v)}
            >
              {l}
            </button>
          ))}
        </div>
        <button type="button" class="primary" onClick={() => newAt(zonedToMs(cursor, 9 * 60, tz), false)}>
          New event
        </button>
      </div>
      <p class="muted cal-status" role="status">
        {events.isPending
          ? 'Loading events…'
          : events.isError
            ? ''
            : count === 0
              ? `Nothing planned here. Click a time${view === 'month' ? ' or a day' : ''} or press New event to add one. Times are in ${tz}.`
              : `${count} event${count === 1 ? '' : 's'} · times in ${tz}`}
      </p>
      {events.isError && (
        <p class="error" role="alert">
          Could not load events: {errorMessage(events.error)}
        </p>
      )}
      {change.isError && (
        <p class="error" role="alert">
          The event was not moved: {errorMessage(change.error)}
        </p>
      )}
      {view === 'month' ? (
        <MonthView
          days={days}
          month={cursor.slice(0, 7)}
          today={today}
          byDay={grouped}
          tz={tz}
          onDay={openDay}
          onCreate={(d) => newAt(zonedToMs(d, 9 * 60, tz), false)}
          onOpen={open}
        />
      ) : (
        <TimeGrid
          days={days}
          today={today}
          byDay={grouped}
          tz={tz}
          onDay={openDay}
          onCreate={newAt}
          onOpen={open}
          onMove={moved}
        />
      )}
      <FeedLink />
      {dialog && (
        <EventDialog
          key={JSON.stringify(dialog).slice(0, 200)}
          state={dialog}
          tz={tz}
          onClose={() => setDialog(null)}
        />
      )}
    </main>
  );
}

export function CalendarScreen() {
  const zone = useOwnerZone();
  useEffect(() => {
    document.title = 'Calendar · ClawChat';
  }, []);
  if (zone.isError)
    return (
      <main class="calendar">
        <p class="error" role="alert">
          Could not load your settings: {errorMessage(zone.error)}
        </p>
      </main>
    );
  if (!zone.data)
    return (
      <main class="calendar">
        <p class="muted" role="status">
          Loading…
        </p>
      </main>
    );
  return <Calendar key={zone.data} tz={zone.data} />;
}

export default CalendarScreen;
