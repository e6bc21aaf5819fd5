/**
 * Card buttons (`action_response`, BEHAVIOUR.md "Orchestration"): complete a todo, ask before a
 * delete, delete once confirmed, cancel, or pick one of several matches (`choose`, which
 * completes the request that asked "which one?" through that intent's handler), or pick the
 * reading of an unsure message (`choose_intent`, choice.ts).
 */
import { AppError } from '../../lib/errors.js';
import {
  itemCard,
  type ActionParams,
  type CardActionName,
  type ItemType,
  type StoredCard,
} from '../../modules/chat/cards.js';
import type { TurnIO, TurnOutcome } from '../../modules/chat/turn-handler.js';
import type { Todo } from '../../modules/todos/todos.schemas.js';
import type { Intent } from '../intents.js';
import { text, withCard, type Context, type Handler, type Turn } from './context.js';
import type { AnyGateway, Gateways } from './items.js';
import { intentChoice } from './choice.js';
import { confirmDelete } from './targets.js';

export interface ActionDeps {
  handlers: Record<Intent, Handler>;
  items: Gateways;
  anyItems: Record<ItemType, AnyGateway>;
  completeTodo(io: TurnIO, todo: Todo): Promise<TurnOutcome>;
  ctx: Context;
}

const isNotFound = (err: unknown) => err instanceof AppError && err.code === 'NOT_FOUND';

export function cardActions(deps: ActionDeps) {
  const chooseIntent = intentChoice(deps.handlers);
  return async function runAction(
    io: TurnIO,
    card: StoredCard,
    action: CardActionName,
    params: ActionParams,
  ): Promise<TurnOutcome> {
    if (action === 'choose_intent') return chooseIntent(io, card, params);
    const type = params.type;
    // Every action but `choose_intent` names its item's type (cards.ts builds them so).
    if (!type) return text('That button no longer works.', null);
    const g = deps.anyItems[type];
    const gone = () => text(`That ${g.noun} no longer exists.`, null);
    switch (action) {
      case 'cancel':
        return text(card.card_type === 'confirm' ? "Okay, I won't delete it." : 'Okay, cancelled.', null);
      case 'complete_todo': {
        const todo = await deps.items.todo.find(params.id);
        return todo ? deps.completeTodo(io, todo) : gone();
      }
      case 'delete_todo':
      case 'delete_event':
      case 'delete_memo': {
        const item = await g.find(params.id);
        return item ? confirmDelete(item, `delete_${type}`) : gone();
      }
      case 'confirm_delete': {
        let removed;
        try {
          removed = await g.remove(params.id, deps.ctx.writeCtx(io));
        } catch (err) {
          if (isNotFound(err)) return gone();
          throw err;
        }
        return withCard(
          `Deleted the ${g.noun} "${removed.title}".`,
          `delete_${type}`,
          itemCard(type, 'deleted', removed),
        );
      }
      case 'choose': {
        const intent = params.intent ?? `update_${type}`;
        const turn: Turn = { io, params: params.pending ?? {}, message: '', history: [] };
        const pick = deps.handlers[intent].pick;
        if (pick?.type === type) return (await pick.act(turn, params.id)) ?? gone();
        // Not a request about an item of this type: just show the one that was picked.
        const item = await g.find(params.id);
        return item ? text(`Here it is: ${item.description}.`, intent) : gone();
      }
      case 'edit_todo':
      case 'edit_event':
      case 'edit_memo':
        return text('Edits are made in the app.', null);
    }
  };
}
