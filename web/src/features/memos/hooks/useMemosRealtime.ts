import { useEffect } from 'preact/hooks';
import { useQueryClient } from '@tanstack/preact-query';
import { socket } from '../../../lib/socket';
import { attachmentKeys } from '../../../lib/attachments';
import { memoKeys } from '../api/keys';

/** Memos are read again whenever they change anywhere (another tab, device, the assistant). */
export function useMemosRealtime(): void {
  const qc = useQueryClient();
  useEffect(() => {
    const refresh = () => {
      void qc.invalidateQueries({ queryKey: memoKeys.all });
      void qc.invalidateQueries({ queryKey: attachmentKeys.all });
    };
    const offs = [
      socket.on('module_data_changed', (d) => {
        if (d.module === 'memos') refresh();
      }),
      socket.onState((s) => {
        if (s === 'open') refresh();
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [qc]);
}
