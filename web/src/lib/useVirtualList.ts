/**
 * A virtualised list for Preact on @tanstack/virtual-core: only the rows in view (plus a few)
 * are in the DOM, each measured as it renders, so 1,000 messages or 10,000 todos scroll like 20.
 */
import { useLayoutEffect, useReducer, useState } from 'preact/hooks';
import {
  Virtualizer,
  elementScroll,
  measureElement,
  observeElementOffset,
  observeElementRect,
} from '@tanstack/virtual-core';

export function useVirtualList(opts: {
  count: number;
  getKey: (i: number) => string;
  scrollEl: () => HTMLElement | null;
  estimate?: number;
}) {
  const [, rerender] = useReducer((x: number) => x + 1, 0);
  const options = {
    count: opts.count,
    getScrollElement: opts.scrollEl,
    estimateSize: () => opts.estimate ?? 96,
    getItemKey: opts.getKey,
    overscan: 6,
    observeElementRect,
    observeElementOffset,
    scrollToFn: elementScroll,
    measureElement,
    onChange: () => rerender(0),
  };
  const [v] = useState(() => new Virtualizer<HTMLElement, HTMLElement>(options));
  v.setOptions(options);
  useLayoutEffect(() => v._didMount(), []);
  useLayoutEffect(() => {
    v._willUpdate();
  });
  return v;
}
