/**
 * Week and day views: an all-day row, then 24 hours per day. An empty hour is a button that
 * creates an event there; an event is moved by dragging it (across days too) and resized by
 * dragging its bottom edge, in 15-minute steps. Clicking an event opens it (the dialog is the
 * keyboard way to move it).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Occurrence } from '../api/events';
import { addDays, dayLabel, dayOf, hhmm, minuteOfDay, zonedToMs } from '../dates';
import { endMs, key, placeDay, startMs } from '../layout';

const PX_PER_MIN = 0.8; // 48 px an hour
const SNAP = 15;

export interface Move {
  o: Occurrence;
  start: number;
  end: number;
}

interface Drag {
  k: string;
  o: Occurrence;
  resize: boolean;
  x0: number;
  y0: number;
  colWidth: number;
  dMin: number;
  dDays: number;
  moved: boolean;
}

interface Props {
  days: string[];
  today: string;
  byDay: Map<string, Occurrence[]>;
  tz: string;
  onDay: (day: string) => void;
  onCreate: (start: number, allDay: boolean) => void;
  onOpen: (o: Occurrence) => void;
  onMove: (m: Move) => void;
}

export function TimeGrid({ days, today, byDay, tz, onDay, onCreate, onOpen, onMove }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const dragRef = useRef<Drag | null>(null);
  dragRef.current = drag;

  // Open at the working day, not at midnight.
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 7 * 60 * PX_PER_MIN - 12;
  }, []);

  function down(e: PointerEvent, o: Occurrence, resize: boolean) {
    if (e.button !== 0) return;
    e.preventDefault();
    e.stopPropagation();
    const col = (e.currentTarget as HTMLElement).closest('.tg-col');
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    setDrag({
      k: key(o),
      o,
      resize,
      x0: e.clientX,
      y0: e.clientY,
      colWidth: col?.getBoundingClientRect().width ?? 100,
      dMin: 0,
      dDays: 0,
      moved: false,
    });
  }
  function move(e: PointerEvent) {
    const d = dragRef.current;
    if (!d) return;
    const dy = e.clientY - d.y0;
    const dx = e.clientX - d.x0;
    const moved = d.moved || Math.abs(dy) > 4 || Math.abs(dx) > 4;
    setDrag({
      ...d,
      moved,
      dMin: Math.round(dy / PX_PER_MIN / SNAP) * SNAP,
      dDays: d.resize || days.length === 1 ? 0 : Math.round(dx / d.colWidth),
    });
  }
  function up() {
    const d = dragRef.current;
    setDrag(null);
    if (!d) return;
    if (!d.moved) return onOpen(d.o);
    if (d.dMin === 0 && d.dDays === 0) return;
    const s = startMs(d.o);
    const en = endMs(d.o);
    // Move on the wall clock of the owner's zone (a DST change keeps 09:00 at 09:00).
    const shift = (ms: number) =>
      zonedToMs(addDays(dayOf(ms, tz), d.dDays), minuteOfDay(ms, tz) + d.dMin, tz);
    if (d.resize) onMove({ o: d.o, start: s, end: Math.max(shift(en), s + SNAP * 60_000) });
    else onMove({ o: d.o, start: shift(s), end: shift(en) });
  }

  const hours = Array.from({ length: 24 }, (_, h) => h);
  const cols = { gridTemplateColumns: `3.5rem repeat(${days.length}, minmax(0, 1fr))` };
  return (
    <div class={`tg${drag?.moved ? ' dragging' : ''}`}>
      <div class="tg-scroll" ref={scroller}>
        {/* Inside the scroller, so its columns line up with the hours whatever the scrollbar takes. */}
        <div class="tg-sticky">
          <div class="tg-head" style={cols}>
            <div />
            {days.map((d) => (
              <button
                type="button"
                key={d}
                class={`tg-dayhead${d === today ? ' today' : ''}`}
                aria-current={d === today ? 'date' : undefined}
                aria-label={`Open ${dayLabel(d, { weekday: 'long', day: 'numeric', month: 'long' })}`}
                onClick={() => onDay(d)}
              >
                <span>{dayLabel(d, { weekday: 'short' })}</span> <strong>{Number(d.slice(8))}</strong>
              </button>
            ))}
          </div>
          <div class="tg-allday" style={cols}>
            <div class="tg-label">All day</div>
            {days.map((d) => (
              <div
                key={d}
                class="tg-allday-cell"
                onClick={(e) => {
                  if (e.target === e.currentTarget) onCreate(zonedToMs(d, 0, tz), true);
                }}
              >
                {(byDay.get(d) ?? [])
                  .filter((o) => o.is_all_day)
                  .map((o) => (
                    <button type="button" key={key(o)} class="cal-chip allday" onClick={() => onOpen(o)}>
                      {o.title}
                    </button>
                  ))}
              </div>
            ))}
          </div>
        </div>
        <div class="tg-body" style={{ ...cols, height: `${1440 * PX_PER_MIN}px` }}>
          <div class="tg-hours" aria-hidden="true">
            {hours.map((h) => (
              <div key={h} style={{ top: `${h * 60 * PX_PER_MIN}px` }}>
                {h === 0 ? '' : hhmm(h * 60)}
              </div>
            ))}
          </div>
          {days.map((d, di) => {
            const label = dayLabel(d, { weekday: 'long', day: 'numeric', month: 'long' });
            return (
              <div key={d} class={`tg-col${d === today ? ' today' : ''}`} aria-label={label} role="group">
                {hours.map((h) => (
                  <button
                    type="button"
                    key={h}
                    class="tg-slot"
                    style={{ top: `${h * 60 * PX_PER_MIN}px`, height: `${60 * PX_PER_MIN}px` }}
                    aria-label={`New event on ${label} at ${hhmm(h * 60)}`}
                    onClick={(e) => {
                      // The half hour clicked, so a click at 9:40 starts at 9:30.
                      const half = e.offsetY > 30 * PX_PER_MIN ? 30 : 0;
                      onCreate(zonedToMs(d, h * 60 + half, tz), false);
                    }}
                  />
                ))}
                {placeDay(byDay.get(d) ?? [], d, tz).map((p) => {
                  const k = key(p.o);
                  const dr = drag?.k === k && drag.moved ? drag : null;
                  const top = p.top + (dr && !dr.resize ? dr.dMin : 0);
                  const height = Math.max(SNAP, p.height + (dr?.resize ? dr.dMin : 0));
                  const time = `${hhmm(minuteOfDay(startMs(p.o), tz))}–${hhmm(minuteOfDay(endMs(p.o), tz))}`;
                  return (
                    <div
                      key={k}
                      class={`tg-event${height < 45 ? ' short' : ''}${dr ? ' moving' : ''}${p.o.recurrence_rule ? ' recurring' : ''}`}
                      style={{
                        top: `${top * PX_PER_MIN}px`,
                        height: `${height * PX_PER_MIN}px`,
                        left: `calc(${(100 / p.lanes) * p.lane}% + ${(dr?.dDays ?? 0) * 100}%)`,
                        width: `calc(${100 / p.lanes}% - 4px)`,
                      }}
                    >
                      <button
                        type="button"
                        class="tg-event-body"
                        aria-label={`${p.o.title}, ${time}${p.o.recurrence_rule ? ', repeats' : ''}`}
                        onPointerDown={(e) => down(e, p.o, false)}
                        onPointerMove={move}
                        onPointerUp={up}
                        onPointerCancel={() => setDrag(null)}
                        onKeyDown={(e) => {
                          if (e.key === 'Enter' || e.key === ' ') {
                            e.preventDefault();
                            onOpen(p.o);
                          }
                        }}
                        data-day={di}
                      >
                        <strong>{p.o.title}</strong>
                        <span> {time}</span>
                      </button>
                      <span
                        class="tg-resize"
                        aria-hidden="true"
                        onPointerDown={(e) => down(e, p.o, true)}
                        onPointerMove={move}
                        onPointerUp={up}
                      />
                    </div>
                  );
                })}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
