/**
 * The month: 6 weeks of days, each with its first few occurrences and "+N more" (which opens
 * the day). It renders in one pass over the occurrences, so 500 of them stay well under a frame
 * budget; `calendar-month-render` (performance.measure) records each render for the budget check,
 * `calendar-month-paint` the same up to the frame that shows it.
 */
import { useLayoutEffect } from 'preact/hooks';
import type { Occurrence } from '../api/events';
import { dayLabel, hhmm, minuteOfDay } from '../dates';
import { key, startMs } from '../layout';

const SHOWN = 3;

interface Props {
  days: string[];
  month: string; // YYYY-MM
  today: string;
  byDay: Map<string, Occurrence[]>;
  tz: string;
  onDay: (day: string) => void;
  onCreate: (day: string) => void;
  onOpen: (o: Occurrence) => void;
}

export function MonthView({ days, month, today, byDay, tz, onDay, onCreate, onOpen }: Props) {
  performance.mark('calendar-month-start');
  useLayoutEffect(() => {
    performance.measure('calendar-month-render', 'calendar-month-start');
    // Style, layout and paint follow the commit: the task after the next frame is past them.
    requestAnimationFrame(() =>
      setTimeout(() => performance.measure('calendar-month-paint', 'calendar-month-start')),
    );
  });
  return (
    <div class="cal-month">
      <div class="cal-month-head" aria-hidden="true">
        {days.slice(0, 7).map((d) => (
          <div key={d}>{dayLabel(d, { weekday: 'short' })}</div>
        ))}
      </div>
      <div class="cal-month-grid">
        {days.map((d) => {
          const list = byDay.get(d) ?? [];
          const label = dayLabel(d, { weekday: 'long', day: 'numeric', month: 'long' });
          return (
            <div
              key={d}
              class={`cal-cell${d.startsWith(month) ? '' : ' other'}${d === today ? ' today' : ''}`}
              onClick={(e) => {
                if (e.target === e.currentTarget) onCreate(d);
              }}
            >
              <button
                type="button"
                class="cal-daynum"
                aria-label={`${label}${list.length ? `, ${list.length} event${list.length === 1 ? '' : 's'}` : ''}`}
                aria-current={d === today ? 'date' : undefined}
                onClick={() => onDay(d)}
              >
                {Number(d.slice(8))}
              </button>
              {list.slice(0, SHOWN).map((o) => (
                <button
                  type="button"
                  key={key(o)}
                  class={`cal-chip${o.is_all_day ? ' allday' : ''}`}
                  onClick={() => onOpen(o)}
                >
                  {!o.is_all_day && <span class="cal-time">{hhmm(minuteOfDay(startMs(o), tz))} </span>}
                  {o.title}
                </button>
              ))}
              {list.length > SHOWN && (
                <button
                  type="button"
                  class="cal-more"
                  onClick={() => onDay(d)}
                  aria-label={`${list.length - SHOWN} more on ${label}`}
                >
                  +{list.length - SHOWN}
                  <span class="cal-more-word"> more</span>
                </button>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
