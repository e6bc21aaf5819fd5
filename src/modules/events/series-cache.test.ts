/**
 * The series cache (series-cache.ts): concurrent reads of one window share one expansion, and a
 * write (a new generation) is seen by the next read.
 */
import { describe, expect, it } from 'vitest';
import type { EventRow } from '../../db/schema.js';
import { createSeriesCache } from './series-cache.js';

function series(id: string, start: string): EventRow {
  return { id, start_time: start } as EventRow;
}

function source(rows: EventRow[]) {
  let generation = '1';
  const expanded: string[] = [];
  return {
    expanded,
    bump: () => (generation = String(Number(generation) + 1)),
    cache: createSeriesCache<number>({
      generation: async () => generation,
      load: async () => rows,
      expand: (row, from) => {
        expanded.push(row.id);
        return [from.getTime() + Number(row.id)];
      },
      order: (a, b) => a - b,
    }),
  };
}

describe('the series cache', () => {
  it('expands a window once for fifty concurrent reads, and again after a write', async () => {
    const s = source([series('1', '2026-01-01T00:00:00Z'), series('2', '2026-01-02T00:00:00Z')]);
    const from = new Date('2026-03-01T00:00:00Z');
    const to = new Date('2026-03-08T00:00:00Z');
    const reads = await Promise.all(Array.from({ length: 50 }, () => s.cache.between(from, to)));
    expect(new Set(reads).size).toBe(1);
    expect(reads[0]).toEqual([from.getTime() + 1, from.getTime() + 2]);
    expect(s.expanded.sort()).toEqual(['1', '2']);

    s.bump();
    await s.cache.between(from, to);
    expect(s.expanded.sort()).toEqual(['1', '1', '2', '2']);
  });
});
