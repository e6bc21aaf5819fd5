import { useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import type { Schemas } from '../../../lib/api';
import { errorMessage } from '../../../lib/api';
import { toastStore } from '../../../lib/toasts';
import { Markdown } from '../../../components/Markdown';
import { useBriefing, useCompleteTodo, useToday } from '../api/today';

type Todo = Schemas['Todo'];
type Occurrence = Schemas['EventOccurrence'];

function longDate(date: string): string {
  // The date is the owner's local day already; format it as a calendar date, not an instant.
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(undefined, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

function TodoRow({ todo, zone, overdue }: { todo: Todo; zone: string; overdue: boolean }) {
  const complete = useCompleteTodo();
  const due = todo.due_date
    ? new Intl.DateTimeFormat(undefined, {
        timeZone: zone,
        ...(overdue ? { month: 'short', day: 'numeric' } : {}),
        ...(todo.due_has_time ? { hour: 'numeric', minute: '2-digit' } : {}),
      }).format(new Date(todo.due_date))
    : null;
  return (
    <li class="todo">
      <button
        type="button"
        class="check"
        aria-label={`Complete ${todo.title}`}
        disabled={complete.isPending}
        onClick={() =>
          complete.mutate(todo.id, {
            onError: (e) => toastStore.show('Could not complete it', errorMessage(e)),
          })
        }
      >
        <span aria-hidden="true">{complete.isPending ? '…' : '✓'}</span>
      </button>
      <span class="todo-text">
        <span class="todo-title">{todo.title}</span>
        {due && (overdue || todo.due_has_time) && (
          <span class={overdue ? 'due overdue' : 'due'}>{overdue ? `was due ${due}` : due}</span>
        )}
      </span>
      {todo.priority === 'high' || todo.priority === 'urgent' ? (
        <span class={`badge ${todo.priority}`}>{todo.priority}</span>
      ) : null}
    </li>
  );
}

function EventRow({ event, zone }: { event: Occurrence; zone: string }) {
  const time = (iso: string) =>
    new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: 'numeric', minute: '2-digit' }).format(
      new Date(iso),
    );
  return (
    <li class="event">
      <span class="when">
        {event.is_all_day
          ? 'All day'
          : `${time(event.start_time)}${event.end_time ? `–${time(event.end_time)}` : ''}`}
      </span>
      <span class="event-title">{event.title}</span>
      {event.location && <span class="muted"> · {event.location}</span>}
    </li>
  );
}

/** Reminders as browser notifications while the tab is open, once the user allows them. */
function NotificationsOffer() {
  const [permission, setPermission] = useState(() =>
    'Notification' in window ? Notification.permission : 'denied',
  );
  if (permission !== 'default') return null;
  return (
    <p class="offer">
      Get reminders and the briefing as browser notifications while ClawChat is open.{' '}
      <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
        Turn on notifications
      </button>
    </p>
  );
}

export function TodayScreen() {
  const today = useToday();
  const briefing = useBriefing();
  if (today.isPending)
    return (
      <main class="today">
        <p class="muted">Loading your day…</p>
      </main>
    );
  if (today.isError)
    return (
      <main class="today">
        <p class="error" role="alert">
          Could not load today: {errorMessage(today.error)}
        </p>
      </main>
    );
  const t = today.data;
  const events = [...t.today_events].sort(
    (a, b) => Number(b.is_all_day) - Number(a.is_all_day) || a.start_time.localeCompare(b.start_time),
  );
  return (
    <main class="today">
      <header class="today-head">
        <h1>{t.greeting}</h1>
        <p class="date">
          {longDate(t.date)} <span class="muted">· {t.timezone}</span>
        </p>
      </header>
      <NotificationsOffer />
      <div class="today-grid">
        <section class="card" aria-labelledby="events-h">
          <h2 id="events-h">Today's events</h2>
          {events.length === 0 ? (
            <p class="muted">Nothing on the calendar.</p>
          ) : (
            <ul class="plain">
              {events.map((e) => (
                <EventRow key={`${e.id}-${e.occurrence_start}`} event={e} zone={t.timezone} />
              ))}
            </ul>
          )}
        </section>
        <section class="card" aria-labelledby="tasks-h">
          <h2 id="tasks-h">Tasks</h2>
          {t.overdue_tasks.length === 0 && t.today_tasks.length === 0 && (
            <p class="muted">Nothing due today.</p>
          )}
          {t.overdue_tasks.length > 0 && (
            <>
              <h3 class="overdue-h">Overdue</h3>
              <ul class="plain">
                {t.overdue_tasks.map((todo) => (
                  <TodoRow key={todo.id} todo={todo} zone={t.timezone} overdue />
                ))}
              </ul>
            </>
          )}
          {t.today_tasks.length > 0 && (
            <>
              <h3>Due today</h3>
              <ul class="plain">
                {t.today_tasks.map((todo) => (
                  <TodoRow key={todo.id} todo={todo} zone={t.timezone} overdue={false} />
                ))}
              </ul>
            </>
          )}
          <p class="inbox">
            Inbox: <strong>{t.inbox_count}</strong> {t.inbox_count === 1 ? 'task' : 'tasks'} without a date
          </p>
        </section>
        <section class="card briefing" aria-labelledby="briefing-h">
          <h2 id="briefing-h">Briefing</h2>
          {briefing.data ? (
            <>
              <Markdown text={briefing.data.text} />
              <Link href={`/chat/${briefing.data.conversationId}`}>Open the briefing conversation</Link>
            </>
          ) : (
            <p class="muted">
              {briefing.isPending
                ? 'Loading…'
                : 'No briefing yet. Ask the assistant for one in Chat ("daily briefing").'}
            </p>
          )}
        </section>
      </div>
    </main>
  );
}
