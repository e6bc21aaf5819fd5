/** A route whose screen is loaded on first visit, so each workspace ships its own chunk. */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function lazyScreen(load: () => Promise<ComponentType>): ComponentType {
  let loaded: ComponentType | null = null;
  return function LazyScreen() {
    const [Screen, setScreen] = useState<ComponentType | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded) return;
      load().then(
        (c) => {
          loaded = c;
          setScreen(() => c);
        },
        () => setFailed(true),
      );
    }, []);
    if (Screen) return <Screen />;
    return (
      <main class="today">
        {failed ? (
          <p class="error" role="alert">
            Could not load this screen. Check the connection and reload the page.
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
