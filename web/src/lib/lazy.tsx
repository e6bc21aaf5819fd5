/** A route's screen loaded on first visit, so each workspace ships its own chunk (no preact/compat). */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let cached: ComponentType<P> | null = null;
  return function LazyScreen(props: P) {
    const [Screen, setScreen] = useState<ComponentType<P> | null>(() => cached);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (cached) return;
      load().then(
        (c) => setScreen(() => (cached = c)),
        () => setFailed(true),
      );
    }, []);
    if (failed)
      return (
        <p class="error pad" role="alert">
          This screen could not be loaded. Check the connection and reload the page.
        </p>
      );
    if (!Screen)
      return (
        <p class="muted pad" role="status">
          Loading…
        </p>
      );
    return <Screen {...props} />;
  };
}
