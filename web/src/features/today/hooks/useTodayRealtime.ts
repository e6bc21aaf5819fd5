import { useEffect } from 'preact/hooks';
import { useQueryClient } from '@tanstack/preact-query';
import { socket } from '../../../lib/socket';
import { todayKeys } from '../api/today';

/** Today is read again whenever todos or events change anywhere (this tab, another device, the assistant). */
export function useTodayRealtime(): void {
  const qc = useQueryClient();
  useEffect(() => {
    const offs = [
      socket.on('module_data_changed', (d) => {
        if (d.module === 'todos' || d.module === 'events')
          void qc.invalidateQueries({ queryKey: todayKeys.today });
      }),
      socket.on('notification', (n) => {
        if (n.kind === 'briefing') void qc.invalidateQueries({ queryKey: todayKeys.briefing });
      }),
      socket.onState((s) => {
        if (s === 'open') void qc.invalidateQueries({ queryKey: todayKeys.today });
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [qc]);
}
