import { useQueryClient } from '@tanstack/preact-query';
import { useEffect } from 'preact/hooks';
import { socket } from '../../../lib/socket';
import { searchKeys } from '../api/search';

/** Results follow the data: any change to items, or a new message, reruns the search on screen. */
export function useSearchRealtime(): void {
  const qc = useQueryClient();
  useEffect(() => {
    const again = () => void qc.invalidateQueries({ queryKey: searchKeys.all });
    const offs = [
      socket.on('module_data_changed', again),
      socket.on('stream_end', again),
      socket.on('message_created', again),
    ];
    return () => offs.forEach((off) => off());
  }, [qc]);
}
