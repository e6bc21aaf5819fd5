/** create_todo, query_todos, update_todo, complete_todo, delete_todo. */
import { itemCard, type ItemType } from '../../modules/chat/cards.js';
import type { TurnIO, TurnOutcome } from '../../modules/chat/turn-handler.js';
import { OPEN_STATUSES } from '../../modules/todos/todos.repository.js';
import type { Todo, TodoListQuery, TodoPatch } from '../../modules/todos/todos.schemas.js';
import { LIST_MAX, describeTodo, plural } from '../replies.js';
import { changeOptions, onItemDay, shifted } from './changes.js';
import { defined, listReply, text, withCard, type Context, type Handler, type Turn } from './context.js';
import { shown, type AnyGateway, type Gateways } from './items.js';
import { confirmDelete, saveChange, targetHandler } from './targets.js';

export function todoHandlers(ctx: Context, items: Gateways, anyItems: Record<ItemType, AnyGateway>) {
  const { todos } = ctx.deps;

  /** `fromText`: the words, not a `choose` card, named the todo, so they may say more about the change. */
  async function update(
    { io, params: p, message }: Turn,
    todo: Todo,
    fromText: boolean,
  ): Promise<TurnOutcome> {
    const opts = fromText ? changeOptions(ctx, p.due_date, message) : {};
    let [due] = opts.keepDay ? onItemDay(todo.due_date, ctx.zone(), p.due_date) : [p.due_date];
    if (due === undefined && opts.shift && todo.due_date) {
      const bare = !todo.due_has_time;
      if (!bare || opts.shift.days) due = shifted(todo.due_date, opts.shift, ctx.zone(), bare);
    }
    const patch: TodoPatch = defined({
      title: p.new_title,
      description: p.description,
      priority: p.priority,
      due_date: due,
      tags: p.tags,
      status: p.status,
    });
    return saveChange(items.todo, 'update_todo', todo, patch, (id, patch) =>
      todos.update(id, patch, ctx.writeCtx(io)),
    );
  }

  async function complete(io: TurnIO, todo: Todo): Promise<TurnOutcome> {
    if (todo.status === 'completed') return text(`"${todo.title}" is already done.`, 'complete_todo');
    const done = await todos.update(todo.id, { status: 'completed' }, ctx.writeCtx(io));
    return withCard(`Marked "${done.title}" as done.`, 'complete_todo', itemCard('todo', 'completed', done));
  }

  return {
    /** Also the card button "Complete". */
    complete,

    create_todo: {
      async run({ io, params: p, message }) {
        const todo = await todos.create(
          {
            title: (p.title ?? message).trim().slice(0, 500),
            ...defined({
              description: p.description,
              priority: p.priority,
              due_date: p.due_date,
              tags: p.tags,
              status: p.status,
            }),
          },
          ctx.writeCtx(io),
        );
        return withCard(
          `Added ${describeTodo(todo, ctx.replyClock())} to your todos.`,
          'create_todo',
          itemCard('todo', 'created', todo),
        );
      },
    } satisfies Handler,

    query_todos: {
      async run({ params: p }) {
        const query: TodoListQuery = {
          status: p.status ?? OPEN_STATUSES.join(','),
          sort: 'due_date',
          page: 1,
          limit: LIST_MAX,
          ...defined({
            priority: p.priority,
            due_after: p.date_from ?? p.due_date,
            due_before: p.date_to ?? p.due_date,
            q: p.query,
            tag: p.tags?.[0],
          }),
        };
        const { items: found, total } = await todos.list(query);
        const kind = p.status ? p.status.replace('_', ' ') : 'open';
        const c = ctx.replyClock();
        return listReply('query_todos', 'todo', found, total, {
          none: `You have no ${kind} todos${query.q || query.tag || query.due_after || query.priority ? ' matching that' : ''}.`,
          heading: `You have ${plural(total, `${kind} todo`)}`,
          describe: (t) => describeTodo(t, c),
        });
      },
    } satisfies Handler,

    update_todo: targetHandler({
      intent: 'update_todo',
      gateway: items.todo,
      preferLive: true,
      act: update,
    }),

    complete_todo: targetHandler({
      intent: 'complete_todo',
      gateway: items.todo,
      preferLive: true,
      act: (turn, todo) => complete(turn.io, todo),
    }),

    delete_todo: targetHandler({
      intent: 'delete_todo',
      gateway: items.todo,
      anyType: anyItems,
      act: async (_turn, todo) => confirmDelete(shown(items.todo, todo), 'delete_todo'),
    }),
  };
}
