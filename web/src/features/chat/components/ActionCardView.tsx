import { useState } from 'preact/hooks';
import type { ActionCard, CardAction } from '../../../lib/frames';
import { send } from '../../../lib/socket';
import { Markdown } from '../../../components/Markdown';

const TITLES: Record<ActionCard['card_type'], string> = {
  todo_created: 'Task added',
  todo_updated: 'Task updated',
  todo_completed: 'Task completed',
  todo_deleted: 'Task deleted',
  todo_list: 'Tasks',
  event_created: 'Event added',
  event_updated: 'Event updated',
  event_deleted: 'Event deleted',
  event_list: 'Events',
  memo_created: 'Memo saved',
  memo_updated: 'Memo updated',
  memo_deleted: 'Memo deleted',
  memo_list: 'Memos',
  search_results: 'Search results',
  agent_task_queued: 'Task queued',
  briefing: 'Briefing',
  confirm: 'Please confirm',
  choose: 'Which one?',
  choice: 'Did you mean…',
};

const fmt = (iso: string | null | undefined, allDay = false) =>
  iso
    ? new Intl.DateTimeFormat(
        undefined,
        allDay ? { dateStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'short' },
      ).format(new Date(iso))
    : null;

type Item = {
  title?: string | null;
  due_date?: string | null;
  due_has_time?: boolean;
  start_time?: string;
  is_all_day?: boolean;
  content?: string;
  status?: string;
};

function ItemLine({ item }: { item: Item }) {
  const when = item.start_time
    ? fmt(item.start_time, item.is_all_day)
    : fmt(item.due_date, item.due_has_time === false);
  return (
    <li>
      <span class={item.status === 'completed' ? 'done' : undefined}>{item.title ?? item.content}</span>
      {when && <span class="muted"> · {item.start_time ? when : `due ${when}`}</span>}
    </li>
  );
}

function Body({ card }: { card: ActionCard }) {
  switch (card.card_type) {
    case 'todo_list':
    case 'event_list':
    case 'memo_list':
      return (
        <ul class="card-items">
          {(card.payload.items as Item[]).map((it, i) => (
            <ItemLine key={i} item={it} />
          ))}
          {card.payload.total > card.payload.items.length && (
            <li class="muted">and {card.payload.total - card.payload.items.length} more</li>
          )}
        </ul>
      );
    case 'search_results':
      return (
        <ul class="card-items">
          {card.payload.items.map((h) => (
            <li key={h.id}>
              {h.title} <span class="muted">({h.type})</span>
            </li>
          ))}
        </ul>
      );
    case 'briefing':
      return <Markdown text={card.payload.text} />;
    case 'confirm':
      return <p>{card.payload.question}</p>;
    case 'choose':
      return <p>{card.payload.question}</p>;
    case 'choice':
      return (
        <p>
          <q>{card.payload.text}</q>: {card.payload.question}
        </p>
      );
    case 'agent_task_queued':
      return <p>{card.payload.instruction}</p>;
    case 'todo_created':
    case 'todo_updated':
    case 'todo_completed':
    case 'todo_deleted':
    case 'event_created':
    case 'event_updated':
    case 'event_deleted':
    case 'memo_created':
    case 'memo_updated':
    case 'memo_deleted':
      return (
        <ul class="card-items">
          <ItemLine item={card.payload} />
        </ul>
      );
  }
}

function itemName(card: ActionCard): string {
  const p = card.payload as Item & { question?: string };
  return p.title ?? p.question ?? TITLES[card.card_type];
}

/** A card with live buttons until it is resolved; each button sends `action_response`. */
export function ActionCardView({ card }: { card: ActionCard }) {
  const [pending, setPending] = useState<string | null>(null);
  // edit_* actions belong to the Tasks/Calendar/Memos screens (next issue).
  const actions = card.resolved ? [] : card.actions.filter((a) => !a.action.startsWith('edit_'));
  const name = itemName(card);

  function act(a: CardAction) {
    setPending(a.label);
    send({
      type: 'action_response',
      data: { message_id: card.message_id, action: a.action, params: a.params },
    });
  }

  return (
    <section class="action-card" aria-label={`${TITLES[card.card_type]}: ${name}`}>
      <h3>{TITLES[card.card_type]}</h3>
      <Body card={card} />
      {actions.length > 0 && (
        <div class="card-actions">
          {actions.map((a) => (
            <button
              key={`${a.action}-${a.label}`}
              type="button"
              class={a.action === 'confirm_delete' || a.action.startsWith('delete_') ? 'danger' : undefined}
              disabled={pending !== null}
              aria-label={
                card.card_type === 'choose' || card.card_type === 'choice' || a.label.includes(name)
                  ? a.label
                  : `${a.label}: ${name}`
              }
              onClick={() => act(a)}
            >
              {pending === a.label ? `${a.label}…` : a.label}
            </button>
          ))}
        </div>
      )}
    </section>
  );
}
