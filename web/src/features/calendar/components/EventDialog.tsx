/**
 * The event dialog: create, edit and delete; for a recurring event it asks which
 * occurrences a change or a deletion is for. It is also the keyboard way to move an event.
 * What was typed stays in the form when the server refuses it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../../../lib/api';
import { isSeries, useChangeEvent, useRemoveEvent } from '../api/changes';
import { useCreateEvent, type EventBody, type NewEventBody, type Occurrence } from '../api/events';
import { OccurrenceApiMissing, type Scope } from '../api/occurrences';
import { addDays, dayOf, hhmm, minuteOfDay, zonedToMs } from '../dates';
import { endMs, startMs } from '../layout';

export type DialogState =
  | { kind: 'new'; start: number; end: number; allDay: boolean }
  | { kind: 'edit'; o: Occurrence }
  | { kind: 'move'; o: Occurrence; body: EventBody };

const REPEAT: Record<string, string> = {
  none: '',
  daily: 'FREQ=DAILY',
  weekly: 'FREQ=WEEKLY',
  monthly: 'FREQ=MONTHLY',
};
const REMINDERS = [
  ['', 'No reminder'],
  ['0', 'At the start'],
  ['5', '5 minutes before'],
  ['10', '10 minutes before'],
  ['15', '15 minutes before'],
  ['30', '30 minutes before'],
  ['60', '1 hour before'],
  ['1440', '1 day before'],
] as const;
const SCOPES: [Scope, string][] = [
  ['this_only', 'This event'],
  ['this_and_future', 'This and following events'],
  ['all', 'All events'],
];

const local = (ms: number, tz: string) => `${dayOf(ms, tz)}T${hhmm(minuteOfDay(ms, tz))}`;
const parseLocal = (v: string, tz: string) => {
  const [d, t = '00:00'] = v.split('T');
  const [h, m] = t.split(':').map(Number) as [number, number];
  return zonedToMs(d!, h * 60 + m, tz);
};

interface Form {
  title: string;
  allDay: boolean;
  start: string; // YYYY-MM-DDTHH:MM, or YYYY-MM-DD when all-day
  end: string;
  reminder: string;
  repeat: string; // an RRULE, '' for none
}

function initial(state: DialogState, tz: string): Form {
  if (state.kind === 'new')
    return {
      title: '',
      allDay: state.allDay,
      start: state.allDay ? dayOf(state.start, tz) : local(state.start, tz),
      end: state.allDay ? dayOf(state.start, tz) : local(state.end, tz),
      reminder: '',
      repeat: '',
    };
  const o = state.o;
  return {
    title: o.title,
    allDay: o.is_all_day,
    start: o.is_all_day ? dayOf(startMs(o), tz) : local(startMs(o), tz),
    end: o.is_all_day ? dayOf(endMs(o) - 1, tz) : local(endMs(o), tz),
    reminder: o.reminder_minutes === null ? '' : String(o.reminder_minutes),
    repeat: o.recurrence_rule ?? '',
  };
}

function toBody(f: Form, tz: string): { start: number; end: number; body: NewEventBody } {
  const start = f.allDay ? zonedToMs(f.start.slice(0, 10), 0, tz) : parseLocal(f.start, tz);
  const end = f.allDay ? zonedToMs(addDays(f.end.slice(0, 10), 1), 0, tz) : parseLocal(f.end, tz);
  return {
    start,
    end,
    body: {
      title: f.title.trim(),
      is_all_day: f.allDay,
      start_time: new Date(start).toISOString(),
      end_time: new Date(end).toISOString(),
      reminder_minutes: f.reminder === '' ? null : Number(f.reminder),
      recurrence_rule: f.repeat || null,
    },
  };
}

/** Only what changed, so "this event" does not rewrite fields it did not touch. */
function diff(before: Form, after: Form, tz: string): EventBody {
  const a = toBody(before, tz).body;
  const b = toBody(after, tz).body;
  const out: EventBody = {};
  for (const k of Object.keys(b) as (keyof NewEventBody)[])
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) (out as Record<string, unknown>)[k] = b[k];
  return out;
}

export function EventDialog({ state, tz, onClose }: { state: DialogState; tz: string; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [start0] = useState(() => initial(state, tz));
  const [f, setF] = useState(start0);
  const [step, setStep] = useState<'form' | 'scope-save' | 'scope-delete' | 'confirm-delete'>(
    state.kind === 'move' ? 'scope-save' : 'form',
  );
  const [scope, setScope] = useState<Scope>('this_only');
  const [problem, setProblem] = useState<{ text: string; missing: boolean } | null>(null);
  const create = useCreateEvent();
  const change = useChangeEvent(tz);
  const remove = useRemoveEvent(tz);
  const busy = create.isPending || change.isPending || remove.isPending;
  const o = state.kind === 'new' ? null : state.o;
  const series = o ? isSeries(o) : false;

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  const set = (p: Partial<Form>) => setF((x) => ({ ...x, ...p }));
  const fail = (e: unknown) =>
    setProblem(
      e instanceof OccurrenceApiMissing
        ? {
            text: `${e.message} You can apply the change to all events of the series instead.`,
            missing: true,
          }
        : { text: errorMessage(e), missing: false },
    );
  const done = { onSuccess: onClose, onError: fail };

  const { start, end } = toBody(f, tz);
  const invalid = !f.title.trim()
    ? 'Give the event a title.'
    : end < start
      ? 'The end is before the start.'
      : null;

  function save(chosen: Scope | null) {
    setProblem(null);
    if (state.kind === 'move') return change.mutate({ o: state.o, body: state.body, scope: chosen }, done);
    if (!o) return create.mutate(toBody(f, tz).body, done);
    const body = chosen && chosen !== 'all' ? diff(start0, f, tz) : toBody(f, tz).body;
    change.mutate({ o, body, scope: chosen }, done);
  }
  function del(chosen: Scope | null) {
    setProblem(null);
    if (o) remove.mutate({ o, scope: chosen }, done);
  }

  const heading =
    state.kind === 'new' ? 'New event' : state.kind === 'move' ? `Move “${state.o.title}”` : 'Edit event';
  return (
    <dialog
      ref={ref}
      class="cal-dialog"
      aria-labelledby="cal-dialog-title"
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id="cal-dialog-title">{heading}</h2>
      {step === 'form' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (invalid) return;
            if (series) setStep('scope-save');
            else save(null);
          }}
        >
          <label for="ev-title">Title</label>
          <input
            id="ev-title"
            value={f.title}
            required
            maxLength={500}
            autoFocus
            onInput={(e) => set({ title: e.currentTarget.value })}
          />
          <label class="cal-check">
            <input
              type="checkbox"
              checked={f.allDay}
              onChange={(e) => {
                const allDay = e.currentTarget.checked;
                set(
                  allDay
                    ? { allDay, start: f.start.slice(0, 10), end: f.end.slice(0, 10) }
                    : { allDay, start: `${f.start.slice(0, 10)}T09:00`, end: `${f.end.slice(0, 10)}T10:00` },
                );
              }}
            />{' '}
            All day
          </label>
          <div class="cal-two">
            <div>
              <label for="ev-start">Starts</label>
              <input
                id="ev-start"
                type={f.allDay ? 'date' : 'datetime-local'}
                value={f.start}
                required
                onInput={(e) => {
                  const v = e.currentTarget.value;
                  if (!v) return;
                  // Keep the length when the start moves, as calendars do.
                  const len = end - start;
                  const ns = f.allDay ? zonedToMs(v, 0, tz) : parseLocal(v, tz);
                  const ne = ns + Math.max(len, 0);
                  set({ start: v, end: f.allDay ? dayOf(ne, tz) : local(ne, tz) });
                }}
              />
            </div>
            <div>
              <label for="ev-end">Ends</label>
              <input
                id="ev-end"
                type={f.allDay ? 'date' : 'datetime-local'}
                value={f.end}
                required
                onInput={(e) => set({ end: e.currentTarget.value })}
              />
            </div>
          </div>
          <div class="cal-two">
            <div>
              <label for="ev-reminder">Reminder</label>
              <select
                id="ev-reminder"
                value={f.reminder}
                onChange={(e) => set({ reminder: e.currentTarget.value })}
              >
                {REMINDERS.map(([v, l]) => (
                  <option key={v} value={v}>
                    {l}
                  </option>
                ))}
                {!REMINDERS.some(([v]) => v === f.reminder) && (
                  <option value={f.reminder}>{f.reminder} minutes before</option>
                )}
              </select>
            </div>
            <div>
              <label for="ev-repeat">Repeat</label>
              <select
                id="ev-repeat"
                value={f.repeat}
                onChange={(e) => set({ repeat: e.currentTarget.value })}
              >
                <option value="">Does not repeat</option>
                <option value={REPEAT.daily}>Every day</option>
                <option value={REPEAT.weekly}>Every week</option>
                <option value={REPEAT.monthly}>Every month</option>
                {f.repeat && !Object.values(REPEAT).includes(f.repeat) && (
                  <option value={f.repeat}>Custom ({f.repeat})</option>
                )}
              </select>
            </div>
          </div>
          {invalid && f.title && <p class="error">{invalid}</p>}
          <div class="cal-dialog-actions">
            {o && (
              <button
                type="button"
                class="danger"
                disabled={busy}
                onClick={() => setStep(series ? 'scope-delete' : 'confirm-delete')}
              >
                Delete
              </button>
            )}
            <span class="spacer" />
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" class="primary" disabled={busy || invalid !== null}>
              {busy ? 'Saving…' : 'Save'}
            </button>
          </div>
        </form>
      )}
      {(step === 'scope-save' || step === 'scope-delete') && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (step === 'scope-save') save(scope);
            else del(scope);
          }}
        >
          <fieldset class="cal-scope">
            <legend>
              {step === 'scope-save'
                ? 'This is a repeating event. Change:'
                : 'This is a repeating event. Delete:'}
            </legend>
            {SCOPES.map(([v, l]) => (
              <label key={v}>
                <input
                  type="radio"
                  name="scope"
                  value={v}
                  checked={scope === v}
                  onChange={() => setScope(v)}
                />{' '}
                {l}
              </label>
            ))}
          </fieldset>
          <div class="cal-dialog-actions">
            <button type="button" onClick={() => (state.kind === 'move' ? onClose() : setStep('form'))}>
              {state.kind === 'move' ? 'Cancel' : 'Back'}
            </button>
            <span class="spacer" />
            <button type="submit" class={step === 'scope-delete' ? 'danger' : 'primary'} disabled={busy}>
              {busy ? 'Working…' : step === 'scope-save' ? 'Save changes' : 'Delete event'}
            </button>
          </div>
        </form>
      )}
      {step === 'confirm-delete' && (
        <div>
          <p>Delete “{o?.title}”? This cannot be undone.</p>
          <div class="cal-dialog-actions">
            <button type="button" onClick={() => setStep('form')}>
              Back
            </button>
            <span class="spacer" />
            <button type="button" class="danger" disabled={busy} onClick={() => del(null)}>
              {busy ? 'Deleting…' : 'Delete event'}
            </button>
          </div>
        </div>
      )}
      {problem && (
        <div class="error" role="alert">
          <p>{problem.text}</p>
          {problem.missing && (
            <button
              type="button"
              onClick={() => (step === 'scope-delete' ? del('all') : save('all'))}
              disabled={busy}
            >
              Apply to all events
            </button>
          )}
        </div>
      )}
    </dialog>
  );
}
