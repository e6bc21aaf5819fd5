/**
 * Socket frames into the chat's state: streaming text goes to the stream store (one message
 * re-renders per token); message rows, cards and conversations go to the query cache.
 */
import { useEffect } from 'preact/hooks';
import { useQueryClient } from '@tanstack/preact-query';
import { socket } from '../../../lib/socket';
import { streamStore } from '../../../lib/streams';
import type { ChatMessage } from '../../../lib/frames';
import { stopRequested } from '../api/messages';
import { chatKeys, findConversationOf, patchMessage, removeMessage, upsertMessage } from '../api/keys';
import { typingStore } from './typing';

export function useChatRealtime(): void {
  const qc = useQueryClient();
  useEffect(() => {
    const offs = [
      socket.on('stream_start', (d) => {
        streamStore.start(d.message_id);
        const list = qc.getQueryData<ChatMessage[]>(chatKeys.messages(d.conversation_id));
        if (list && !list.some((m) => m.id === d.message_id))
          upsertMessage(qc, {
            id: d.message_id,
            conversation_id: d.conversation_id,
            role: 'assistant',
            content: '',
            message_type: 'text',
            status: 'streaming',
            intent: null,
            metadata: null,
            created_at: new Date().toISOString(),
          });
      }),
      socket.on('stream_chunk', (d) => streamStore.chunk(d.message_id, d.index, d.content)),
      socket.on('stream_end', (d) => {
        const list = qc.getQueryData<ChatMessage[]>(chatKeys.messages(d.conversation_id));
        const old = list?.find((m) => m.id === d.message_id);
        const stopped = stopRequested.delete(d.message_id) || old?.status === 'stopped';
        const status = stopped ? 'stopped' : old?.status === 'failed' ? 'failed' : 'complete';
        patchMessage(qc, d.conversation_id, d.message_id, {
          content: d.full_content,
          status,
          intent: d.intent,
        });
        streamStore.end(d.message_id);
        void qc.invalidateQueries({ queryKey: chatKeys.allConversations });
      }),
      socket.on('action_card', (card) => {
        const conv = findConversationOf(qc, card.message_id);
        if (!conv) return;
        const list = qc.getQueryData<ChatMessage[]>(chatKeys.messages(conv));
        const old = list?.find((m) => m.id === card.message_id);
        patchMessage(qc, conv, card.message_id, {
          message_type: 'action_card',
          metadata: { ...(old?.metadata ?? {}), card },
        });
      }),
      socket.on('message_created', (m) => upsertMessage(qc, m)),
      socket.on('message_updated', (m) => {
        // A streaming row's checkpoint must not replace the live text.
        if (streamStore.has(m.id)) return;
        upsertMessage(qc, m);
      }),
      socket.on('message_deleted', (d) => removeMessage(qc, d.conversation_id, d.id)),
      socket.on('conversation_updated', (d) => {
        if (d.deleted) qc.removeQueries({ queryKey: chatKeys.messages(d.conversation_id) });
        void qc.invalidateQueries({ queryKey: chatKeys.allConversations });
      }),
      socket.on('error', (d) => {
        if (!d.message_id) return;
        const conv = findConversationOf(qc, d.message_id);
        if (!conv) return;
        const list = qc.getQueryData<ChatMessage[]>(chatKeys.messages(conv));
        const old = list?.find((m) => m.id === d.message_id);
        patchMessage(qc, conv, d.message_id, {
          status: old?.status === 'streaming' ? 'failed' : (old?.status ?? 'failed'),
          metadata: { ...(old?.metadata ?? {}), error: { code: d.code, message: d.message } },
        });
      }),
      socket.on('typing', (d) => typingStore.set(d.conversation_id, d.is_typing)),
      socket.onState((s) => {
        // Whatever happened while the socket was down is read again (streams resume themselves).
        if (s === 'open') void qc.invalidateQueries({ queryKey: ['chat'] });
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [qc]);
}
