import { useQueryClient } from '@tanstack/preact-query';
import { useEffect } from 'preact/hooks';
import { socket } from '../../../lib/socket';
import { eventKeys } from '../api/events';

/** The calendar follows changes from anywhere (another tab, the assistant, the phone). */
export function useCalendarRealtime(): void {
  const qc = useQueryClient();
  useEffect(() => {
    const again = () => void qc.invalidateQueries({ queryKey: eventKeys.all });
    const offs = [
      socket.on('module_data_changed', (d) => {
        if (d.module === 'events') again();
      }),
      socket.onState((s) => {
        if (s === 'open') again();
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [qc]);
}
