/**
 * The intent tests' usual turn: a message classified as an intent and answered with a card,
 * checked the same way each time (frames in order, the card stored with the reply).
 */
import type { ClassifyArgs } from '../fakes/fake-openai.js';
import { expectCardReply, expectOrder, useIntentChat, type Turn } from './chat-intents.js';

/** Cards that report a write: the change is announced (module_data_changed) right after them. */
const WRITE_CARD = /_(created|updated|completed|deleted)$/;

/** useIntentChat() plus sayCard(): `say`, expecting a `cardType` card as the answer. */
export function useIntentCards() {
  const chat = useIntentChat();
  async function sayCard(
    cardType: string,
    text: string,
    args: ClassifyArgs & { intent: string },
  ): Promise<Turn> {
    const turn = await chat.say(text, args);
    expectOrder(turn, 'action_card', ...(WRITE_CARD.test(cardType) ? ['module_data_changed'] : []));
    expectCardReply(turn, args.intent, cardType);
    return turn;
  }
  return { ...chat, sayCard };
}
