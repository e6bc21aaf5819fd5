/** The title box: natural language is read by the server's understander and previewed before saving. */
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../../../lib/api';
import { understand, type Understood } from '../api/understand';
import { useCreateTodo, type TodoInput } from '../api/todo-crud';
import { formatDue } from './format';

export function QuickAdd({ parentId, label = 'New task' }: { parentId?: string; label?: string }) {
  const [text, setText] = useState('');
  const [preview, setPreview] = useState<{ text: string; understood: Understood } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = useCreateTodo();

  useEffect(() => {
    if (!text.trim()) {
      setPreview(null);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      void understand(text).then((u) => {
        if (live) setPreview(u ? { text, understood: u } : null);
      });
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [text]);

  const parsed = preview?.text === text ? preview.understood.params : null;
  const submit = async (e: Event) => {
    e.preventDefault();
    const raw = text.trim();
    if (!raw) return;
    // Read it now if the debounce has not answered yet, so what is saved matches what was typed.
    const p = parsed ?? (await understand(raw))?.params ?? null;
    const body: TodoInput = { title: p?.title?.trim() || raw };
    if (p?.due_date) body.due_date = p.due_date;
    if (p?.priority) body.priority = p.priority;
    if (p?.tags?.length) body.tags = p.tags;
    if (parentId) body.parent_id = parentId;
    setError(null);
    create.mutate(body, {
      onSuccess: () => {
        setText('');
        setPreview(null);
      },
      onError: (err) => setError(`Could not add the task: ${errorMessage(err)}`),
    });
  };

  return (
    <form class="quick-add" onSubmit={(e) => void submit(e)}>
      <div class="quick-add-row">
        <input
          type="text"
          aria-label={label}
          placeholder={parentId ? 'Add a subtask' : 'Add a task: "pay rent friday !high #home"'}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit" class="primary" disabled={create.isPending || !text.trim()}>
          {create.isPending ? 'Adding…' : parentId ? 'Add subtask' : 'Add task'}
        </button>
      </div>
      {parsed && (
        <p class="preview" aria-label="Preview">
          <span>
            <strong>{parsed.title || text}</strong>
          </span>
          {parsed.due_date && (
            <span class="chip">Due {formatDue(parsed.due_date, parsed.due_date.length > 10)}</span>
          )}
          {parsed.priority && parsed.priority !== 'medium' && <span class="chip">{parsed.priority}</span>}
          {parsed.tags?.map((t) => (
            <span class="chip" key={t}>
              #{t}
            </span>
          ))}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
