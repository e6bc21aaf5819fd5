/** delegate_task: queues a background agent task whose result is posted to the conversation. */
import { agentTaskCard } from '../../modules/chat/cards.js';
import { defined, withCard, type Context, type Handler } from './context.js';

export function delegateHandler(ctx: Context): Handler {
  return {
    async run({ io, params: p, message }) {
      const task = await ctx.deps.agentTasks.create(
        {
          ...defined({ task_type: p.task_type }),
          instruction: (p.instruction ?? message).trim(),
          conversation_id: io.conversationId,
        },
        ctx.writeCtx(io),
      );
      return withCard(
        `I've queued a background ${task.task_type} task (${task.id}). I'll post the result here when it's done.`,
        'delegate_task',
        agentTaskCard(task),
      );
    },
  };
}
