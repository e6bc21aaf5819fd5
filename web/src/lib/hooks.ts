import { useEffect, useState } from 'preact/hooks';

/** Re-renders when an outside store changes (a tiny useSyncExternalStore). */
export function useStore<T>(subscribe: (l: () => void) => () => void, get: () => T): T {
  const [value, setValue] = useState(get);
  useEffect(() => {
    setValue(get);
    return subscribe(() => setValue(get));
  }, [subscribe]);
  return value;
}
