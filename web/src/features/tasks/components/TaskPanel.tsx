/** The side panel: every field of one todo, its subtasks, links and attachments. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../../../lib/api';
import { AttachmentList } from '../../../components/AttachmentList';
import { PRIORITIES, STATUSES, statusLabel, type Todo } from '../api/keys';
import { useDeleteTodo, useSubtasks, useTodo, useUpdateTodo, type TodoInput } from '../api/todo-crud';
import {
  useAddRelationship,
  useRelationships,
  useRemoveRelationship,
  type RelationshipType,
} from '../api/relationships';
import { QuickAdd } from './QuickAdd';
import { parseTags } from './format';

const REL_LABEL: Record<RelationshipType, string> = {
  blocks: 'Blocks',
  blocked_by: 'Blocked by',
  related: 'Related to',
  duplicate_of: 'Duplicate of',
};

const localDate = (iso: string | null) => {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

interface Draft {
  title: string;
  description: string;
  status: Todo['status'];
  priority: Todo['priority'];
  due: string;
  tags: string;
  parent: string;
}

const draftOf = (t: Todo): Draft => ({
  title: t.title,
  description: t.description ?? '',
  status: t.status,
  priority: t.priority,
  due: localDate(t.due_date),
  tags: t.tags.join(', '),
  parent: t.parent_id ?? '',
});

function Relationships({ todo, candidates }: { todo: Todo; candidates: Todo[] }) {
  const rels = useRelationships(todo.id);
  const add = useAddRelationship(todo.id);
  const remove = useRemoveRelationship(todo.id);
  const [type, setType] = useState<RelationshipType>('related');
  const [target, setTarget] = useState('');
  const titleOf = (id: string) => candidates.find((c) => c.id === id)?.title ?? id;
  return (
    <section aria-labelledby="rel-h" class="panel-section">
      <h3 id="rel-h">Links</h3>
      {rels.data?.length === 0 && (
        <p class="muted small">No links. Link a task that blocks or relates to this one.</p>
      )}
      <ul class="plain">
        {rels.data?.map((r) => {
          const outgoing = r.source_todo_id === todo.id;
          const other = titleOf(outgoing ? r.target_todo_id : r.source_todo_id);
          const label = outgoing
            ? REL_LABEL[r.relationship_type]
            : `${REL_LABEL[r.relationship_type]} (from)`;
          return (
            <li key={r.id} class="rel">
              <span>
                {label}: <strong>{other}</strong>
              </span>
              <button
                type="button"
                class="ghost"
                aria-label={`Remove link to ${other}`}
                onClick={() => remove.mutate(r.id)}
              >
                ×
              </button>
            </li>
          );
        })}
      </ul>
      <div class="rel-add">
        <select
          aria-label="Link type"
          value={type}
          onChange={(e) => setType(e.currentTarget.value as RelationshipType)}
        >
          {(Object.keys(REL_LABEL) as RelationshipType[]).map((k) => (
            <option key={k} value={k}>
              {REL_LABEL[k]}
            </option>
          ))}
        </select>
        <select aria-label="Linked task" value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
          <option value="">Choose a task…</option>
          {candidates
            .filter((c) => c.id !== todo.id)
            .slice(0, 300)
            .map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
        </select>
        <button
          type="button"
          disabled={!target || add.isPending}
          onClick={() =>
            add.mutate(
              { target_todo_id: target, relationship_type: type },
              { onSuccess: () => setTarget('') },
            )
          }
        >
          Add link
        </button>
      </div>
      {add.isError && (
        <p class="error" role="alert">
          Could not link: {errorMessage(add.error)}
        </p>
      )}
    </section>
  );
}

function Subtasks({ todo, onOpen }: { todo: Todo; onOpen: (id: string) => void }) {
  const subs = useSubtasks(todo.id);
  const update = useUpdateTodo();
  return (
    <section aria-labelledby="sub-h" class="panel-section">
      <h3 id="sub-h">Subtasks</h3>
      <ul class="plain">
        {subs.data?.map((s) => (
          <li key={s.id} class="subtask">
            <input
              type="checkbox"
              aria-label={`Subtask ${s.title} done`}
              checked={s.status === 'completed'}
              onChange={(e) =>
                update.mutate({ id: s.id, status: e.currentTarget.checked ? 'completed' : 'pending' })
              }
            />
            <button type="button" class="linkish" onClick={() => onOpen(s.id)}>
              {s.title}
            </button>
          </li>
        ))}
      </ul>
      <QuickAdd parentId={todo.id} label="New subtask" />
    </section>
  );
}

function DeleteButton({ todo, onDeleted }: { todo: Todo; onDeleted: () => void }) {
  const del = useDeleteTodo();
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" class="danger" onClick={() => setAsking(true)}>
        Delete task
      </button>
    );
  return (
    <span class="confirm" role="group" aria-label="Confirm delete">
      <span>Delete “{todo.title}” and its subtasks?</span>
      <button
        type="button"
        class="danger"
        disabled={del.isPending}
        onClick={() => del.mutate(todo.id, { onSuccess: onDeleted })}
      >
        Yes, delete
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
      {del.isError && (
        <span class="error" role="alert">
          Could not delete: {errorMessage(del.error)}
        </span>
      )}
    </span>
  );
}

export function TaskPanel(props: {
  id: string;
  candidates: Todo[];
  onClose: () => void;
  onOpen: (id: string) => void;
}) {
  const q = useTodo(props.id);
  const update = useUpdateTodo();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    setDraft(null);
    setSaved(false);
  }, [props.id]);
  const base = useRef<Todo | null>(null);
  useEffect(() => {
    // A live change from elsewhere refills the form, unless the person has started typing.
    if (!q.data) return;
    const from = base.current;
    setDraft((d) => (d && from && from.id === q.data.id && dirty(d, from) ? d : draftOf(q.data)));
    base.current = q.data;
  }, [q.data]);

  const todo = q.data;
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => {
    setSaved(false);
    setDraft((d) => (d ? { ...d, [k]: v } : d));
  };
  const save = (e: Event) => {
    e.preventDefault();
    if (!todo || !draft) return;
    const body: Partial<TodoInput> & { id: string } = {
      id: todo.id,
      title: draft.title.trim() || todo.title,
      description: draft.description.trim() ? draft.description : null,
      status: draft.status,
      priority: draft.priority,
      tags: parseTags(draft.tags),
      parent_id: draft.parent || null,
    };
    if (draft.due !== localDate(todo.due_date)) body.due_date = draft.due || null;
    update.mutate(body, {
      onSuccess: (t) => {
        base.current = t;
        setDraft(draftOf(t));
        setSaved(true);
      },
    });
  };

  return (
    <aside class="task-panel" aria-label="Task details">
      <div class="panel-head">
        <h2>Task details</h2>
        <button type="button" class="ghost" aria-label="Close task details" onClick={props.onClose}>
          ×
        </button>
      </div>
      {q.isPending && <p class="muted">Loading…</p>}
      {q.isError && (
        <p class="error" role="alert">
          Could not load this task: {errorMessage(q.error)}
        </p>
      )}
      {todo && draft && (
        <>
          <form class="panel-form" onSubmit={save}>
            <label>
              Title
              <input type="text" value={draft.title} onInput={(e) => set('title', e.currentTarget.value)} />
            </label>
            <label>
              Description
              <textarea
                rows={4}
                value={draft.description}
                onInput={(e) => set('description', e.currentTarget.value)}
              />
            </label>
            <div class="panel-grid">
              <label>
                Status
                <select
                  value={draft.status}
                  onChange={(e) => set('status', e.currentTarget.value as Todo['status'])}
                >
                  {STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {statusLabel[s]}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Priority
                <select
                  value={draft.priority}
                  onChange={(e) => set('priority', e.currentTarget.value as Todo['priority'])}
                >
                  {PRIORITIES.map((p) => (
                    <option key={p} value={p}>
                      {p}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Due date
                <input type="date" value={draft.due} onInput={(e) => set('due', e.currentTarget.value)} />
              </label>
              <label>
                Tags
                <input
                  type="text"
                  value={draft.tags}
                  placeholder="home, bills"
                  onInput={(e) => set('tags', e.currentTarget.value)}
                />
              </label>
            </div>
            <label>
              Parent task
              <select value={draft.parent} onChange={(e) => set('parent', e.currentTarget.value)}>
                <option value="">None (a top-level task)</option>
                {props.candidates
                  .filter((c) => c.id !== todo.id)
                  .slice(0, 300)
                  .map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.title}
                    </option>
                  ))}
                {todo.parent_id && !props.candidates.some((c) => c.id === todo.parent_id) && (
                  <option value={todo.parent_id}>(current parent)</option>
                )}
              </select>
            </label>
            <div class="panel-actions">
              <button type="submit" class="primary" disabled={update.isPending}>
                {update.isPending ? 'Saving…' : 'Save changes'}
              </button>
              {saved && (
                <span class="muted" role="status">
                  Saved
                </span>
              )}
            </div>
            {update.isError && (
              <p class="error" role="alert">
                Could not save: {errorMessage(update.error)}. Your changes are still here.
              </p>
            )}
          </form>
          <Subtasks todo={todo} onOpen={props.onOpen} />
          <Relationships todo={todo} candidates={props.candidates} />
          <section aria-labelledby="att-h" class="panel-section">
            <h3 id="att-h">Attachments</h3>
            <AttachmentList owner={{ todo_id: todo.id }} />
          </section>
          <div class="panel-section">
            <DeleteButton todo={todo} onDeleted={props.onClose} />
          </div>
        </>
      )}
    </aside>
  );
}

function dirty(d: Draft, t: Todo): boolean {
  const base = draftOf(t);
  return (Object.keys(base) as (keyof Draft)[]).some((k) => base[k] !== d[k]);
}
