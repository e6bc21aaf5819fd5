/** Placing occurrences on days (month) and on the hour grid (week, day), in the owner's zone. */
import type { Occurrence } from './api/events';
import { addDays, dayOf, minuteOfDay } from './dates';

export const key = (o: Occurrence) => `${o.id}@${o.occurrence_start}`;
export const startMs = (o: Occurrence) => Date.parse(o.start_time);
/** An event without an end lasts an hour (a whole day when all-day). */
export const endMs = (o: Occurrence) =>
  o.end_time
    ? Math.max(Date.parse(o.end_time), startMs(o))
    : startMs(o) + (o.is_all_day ? 86_400_000 : 3_600_000);

/** Day -> its occurrences, all-day first then by start; a multi-day event is on each of its days. */
export function byDay(items: Occurrence[], tz: string, days: Set<string>): Map<string, Occurrence[]> {
  const map = new Map<string, Occurrence[]>();
  for (const o of items) {
    const first = dayOf(startMs(o), tz);
    const last = dayOf(Math.max(startMs(o), endMs(o) - 1), tz);
    let d = first;
    for (let i = 0; i < 62 && d <= last; i++, d = addDays(d, 1)) {
      if (!days.has(d)) continue;
      const list = map.get(d);
      if (list) list.push(o);
      else map.set(d, [o]);
    }
  }
  for (const list of map.values())
    list.sort((a, b) => Number(b.is_all_day) - Number(a.is_all_day) || startMs(a) - startMs(b));
  return map;
}

export interface Placed {
  o: Occurrence;
  top: number; // minutes from midnight
  height: number; // minutes
  lane: number;
  lanes: number;
}

/** Timed occurrences of one day placed in side-by-side lanes where they overlap. */
export function placeDay(items: Occurrence[], day: string, tz: string): Placed[] {
  const timed = items.filter((o) => !o.is_all_day);
  const placed: Placed[] = timed.map((o) => {
    const s = dayOf(startMs(o), tz) < day ? 0 : minuteOfDay(startMs(o), tz);
    const e = dayOf(endMs(o), tz) > day ? 1440 : minuteOfDay(endMs(o), tz);
    return { o, top: s, height: Math.max(e - s, 20), lane: 0, lanes: 1 };
  });
  placed.sort((a, b) => a.top - b.top || b.height - a.height);
  let cluster: Placed[] = [];
  let clusterEnd = -1;
  const laneEnds: number[] = [];
  const close = () => {
    const n = Math.max(1, ...cluster.map((p) => p.lane + 1));
    for (const p of cluster) p.lanes = n;
    cluster = [];
    laneEnds.length = 0;
  };
  for (const p of placed) {
    if (p.top >= clusterEnd) close();
    let lane = laneEnds.findIndex((end) => end <= p.top);
    if (lane < 0) lane = laneEnds.length;
    laneEnds[lane] = p.top + p.height;
    p.lane = lane;
    cluster.push(p);
    clusterEnd = Math.max(clusterEnd, p.top + p.height);
  }
  close();
  return placed;
}
