/**
 * A route's screen loaded on first visit, so each workspace ships its own chunk and the first
 * page (Today) carries only what it draws. No preact/compat: one hook and a dynamic import.
 */
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
    if (Screen) return <Screen {...props} />;
    return (
      <main class="today">
        {failed ? (
          <p class="error" role="alert">
            This screen could not be loaded. Check the connection and reload the page.
          </p>
        ) : (
          <p class="muted" role="status">
            Loading…
          </p>
        )}
      </main>
    );
  };
}
