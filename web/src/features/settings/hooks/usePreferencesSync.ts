import { useEffect } from 'preact/hooks';
import { prefsStore } from '../../../lib/prefs';
import { useSettings } from '../api/settings';

/** Applies the saved preferences to this tab (theme, send on Enter, timestamps) whenever they change. */
export function usePreferencesSync(): void {
  const settings = useSettings();
  const s = settings.data?.settings;
  useEffect(() => {
    if (!s) return;
    const theme = s.theme === 'light' || s.theme === 'dark' ? s.theme : 'system';
    prefsStore.set({ theme, sendOnEnter: s.sendOnEnter ?? true, showTimestamps: s.showTimestamps ?? false });
  }, [s?.theme, s?.sendOnEnter, s?.showTimestamps]);
}
