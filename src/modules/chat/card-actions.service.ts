/**
 * Card buttons (`action_response`, from any device): the pressed action is checked against the
 * card, then a new reply answers it (the handler acts); the card is marked resolved so that
 * reloaded cards show no live buttons.
 */
import { notFound, validationError } from '../../lib/errors.js';
import type { EventSink } from '../../realtime/events.js';
import { CARD_ACTIONS, type CardAction, type CardActionName } from './cards.js';
import { assistantRow, type ChatContext } from './chat.context.js';
import { cardOf, toMessage } from './chat.mappers.js';

export interface ActionResponse {
  message_id: string;
  action: string;
  params?: Record<string, unknown>;
}

const isCardAction = (value: string): value is CardActionName =>
  (CARD_ACTIONS as readonly string[]).includes(value);

export function createCardActionsService(c: ChatContext) {
  const { messages, runner } = c;

  /** Marks the card that was acted on, so reloaded cards show no live buttons. */
  async function resolveCard(sourceId: string, action: CardActionName, hold: EventSink): Promise<void> {
    const row = await messages.find(sourceId);
    if (!row) return;
    const message = toMessage(row);
    const card = cardOf(message);
    if (!card || card.resolved) return;
    const metadata = { ...message.metadata, card: { ...card, resolved: true, resolved_action: action } };
    await messages.update(sourceId, { metadata: JSON.stringify(metadata) });
    hold('message_updated', { ...message, metadata });
  }

  return {
    /** A card button pressed on some device (`action_response`): a new reply answers it. */
    async respondToAction(input: ActionResponse): Promise<{ message_id: string; done: Promise<void> }> {
      if (typeof input.message_id !== 'string' || typeof input.action !== 'string')
        throw validationError('message_id', 'action_response needs message_id and action');
      const row = await messages.find(input.message_id);
      if (!row) throw notFound('Message', input.message_id);
      const source = toMessage(row);
      const card = cardOf(source);
      if (!card) throw notFound('Card on message', input.message_id);
      const action = input.action;
      if (!isCardAction(action))
        throw validationError('action', `action must be one of ${CARD_ACTIONS.join(', ')}`, action);
      if (action.startsWith('edit_'))
        throw validationError('action', 'Edit actions are handled by the client', action);
      const wantedId = input.params?.id;
      const wantedType = input.params?.type;
      const named = card.actions.filter((a) => a.action === action);
      if (named.length === 0) throw validationError('action', 'This card has no such action', action);
      const matches = named.filter(
        (a) =>
          (wantedId === undefined || a.params.id === wantedId) &&
          (wantedType === undefined || a.params.type === wantedType),
      );
      // Several buttons share the name (a `choose` card): only params naming one of them pick it.
      const ambiguous = named.length > 1 && (wantedId === undefined || matches.length !== 1);
      const chosen: CardAction | undefined = matches[0];
      if (!chosen && !ambiguous) throw validationError('action', 'This card has no such action', action);

      const reply = assistantRow(source.conversation_id, c.clock.now().toISOString());
      await messages.insert(reply);
      if (ambiguous || !chosen) {
        // A plain answer: nothing is done, and the card stays live.
        const { done } = runner.enqueue({
          conversationId: source.conversation_id,
          assistantMessageId: reply.id,
          userMessageId: null,
          run: async () => ({
            content: 'Pick one of the options.',
            intent: null,
            metadata: { in_reply_to: { message_id: source.id, action } },
          }),
        });
        return { message_id: reply.id, done };
      }
      const { done } = runner.enqueue({
        conversationId: source.conversation_id,
        assistantMessageId: reply.id,
        userMessageId: null,
        run: async (io) => {
          // Read again at the turn: a press from another device may have been answered meanwhile.
          const freshRow = await messages.find(source.id);
          const fresh = freshRow ? toMessage(freshRow) : null;
          const freshCard = fresh ? cardOf(fresh) : null;
          if (!fresh || !freshCard) return { content: 'That card no longer exists.', intent: null };
          if (freshCard.resolved) return { content: "That's already done.", intent: null };
          const outcome = await c.handler.handleAction(io, {
            source: fresh,
            card: freshCard,
            action,
            params: chosen.params,
          });
          if (!outcome.error) await resolveCard(fresh.id, action, io.publish);
          return {
            ...outcome,
            metadata: { ...outcome.metadata, in_reply_to: { message_id: fresh.id, action } },
          };
        },
      });
      return { message_id: reply.id, done };
    },
  };
}
