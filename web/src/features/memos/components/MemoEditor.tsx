/** One memo: title, tags, Markdown with a preview, files dropped on the text, delete with confirmation. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../../../lib/api';
import { Markdown } from '../../../components/Markdown';
import { AttachmentList, dropProps } from '../../../components/AttachmentList';
import { useUploadAttachment } from '../../../lib/attachments';
import type { Memo } from '../api/keys';
import { useDeleteMemo, useSaveMemo } from '../api/memo-crud';

interface Draft {
  title: string;
  tags: string;
  content: string;
}
const draftOf = (m: Memo | null): Draft => ({
  title: m?.title ?? '',
  tags: m?.tags.join(', ') ?? '',
  content: m?.content ?? '',
});
const same = (a: Draft, b: Draft) => a.title === b.title && a.tags === b.tags && a.content === b.content;
const parseTags = (s: string) => [
  ...new Set(
    s
      .split(/[,\s]+/)
      .map((t) => t.replace(/^#/, '').trim())
      .filter(Boolean),
  ),
];

function DropZone({ memoId, children }: { memoId: string; children: preact.ComponentChildren }) {
  const upload = useUploadAttachment({ memo_id: memoId });
  const [note, setNote] = useState<string | null>(null);
  return (
    <div
      class="drop-zone"
      {...dropProps((files) => {
        setNote(null);
        for (const f of Array.from(files))
          upload.mutate(f, {
            onSuccess: () => setNote(`Attached ${f.name}`),
            onError: (e) => setNote(`Could not upload ${f.name}: ${errorMessage(e)}`),
          });
      })}
    >
      {children}
      {note && (
        <p class="muted small" role="status">
          {note}
        </p>
      )}
    </div>
  );
}

export function MemoEditor(props: {
  memo: Memo | null;
  onSaved: (m: Memo) => void;
  onDeleted: () => void;
  onBack: () => void;
}) {
  const { memo } = props;
  const [draft, setDraft] = useState<Draft>(() => draftOf(memo));
  const [tab, setTab] = useState<'write' | 'preview'>('write');
  const [asking, setAsking] = useState(false);
  const [saved, setSaved] = useState(false);
  const base = useRef<Memo | null>(memo);
  const save = useSaveMemo();
  const del = useDeleteMemo();

  useEffect(() => {
    // Another memo, or this one changed elsewhere: refill unless the person has unsaved typing.
    const from = base.current;
    setDraft((d) => (from && memo && from.id === memo.id && !same(d, draftOf(from)) ? d : draftOf(memo)));
    if (from?.id !== memo?.id) {
      setAsking(false);
      setSaved(false);
    }
    base.current = memo;
  }, [memo]);

  const set = (k: keyof Draft, v: string) => {
    setSaved(false);
    setDraft((d) => ({ ...d, [k]: v }));
  };
  const submit = (e: Event) => {
    e.preventDefault();
    if (!draft.content.trim()) return;
    save.mutate(
      {
        id: memo?.id ?? null,
        content: draft.content,
        title: draft.title.trim() || null,
        tags: parseTags(draft.tags),
      },
      {
        onSuccess: (m) => {
          base.current = m;
          setSaved(true);
          props.onSaved(m);
        },
      },
    );
  };

  const editor = (
    <textarea
      aria-label="Memo text (Markdown)"
      rows={14}
      value={draft.content}
      placeholder="Write in Markdown. Drop a file here to attach it."
      onInput={(e) => set('content', e.currentTarget.value)}
    />
  );

  return (
    <section class="memo-editor" aria-label={memo ? `Memo ${memo.title}` : 'New memo'}>
      <form onSubmit={submit}>
        <div class="memo-editor-head">
          <button type="button" class="ghost back" onClick={props.onBack} aria-label="Back to memos">
            ←
          </button>
          <input
            type="text"
            class="memo-title"
            aria-label="Title"
            placeholder="Title (optional)"
            value={draft.title}
            onInput={(e) => set('title', e.currentTarget.value)}
          />
        </div>
        <input
          type="text"
          aria-label="Tags"
          placeholder="Tags: ideas, work"
          value={draft.tags}
          onInput={(e) => set('tags', e.currentTarget.value)}
        />
        <div class="view-toggle" role="group" aria-label="Editor mode">
          <button type="button" aria-pressed={tab === 'write'} onClick={() => setTab('write')}>
            Write
          </button>
          <button type="button" aria-pressed={tab === 'preview'} onClick={() => setTab('preview')}>
            Preview
          </button>
        </div>
        {tab === 'write' ? (
          memo ? (
            <DropZone memoId={memo.id}>{editor}</DropZone>
          ) : (
            editor
          )
        ) : (
          <div class="memo-preview" role="region" aria-label="Preview">
            {draft.content.trim() ? (
              <Markdown text={draft.content} />
            ) : (
              <p class="muted">Nothing to preview yet.</p>
            )}
          </div>
        )}
        <div class="panel-actions">
          <button type="submit" class="primary" disabled={save.isPending || !draft.content.trim()}>
            {save.isPending ? 'Saving…' : 'Save memo'}
          </button>
          {saved && (
            <span class="muted" role="status">
              Saved
            </span>
          )}
          {memo &&
            (asking ? (
              <span class="confirm" role="group" aria-label="Confirm delete">
                <span>Delete this memo and its files?</span>
                <button
                  type="button"
                  class="danger"
                  disabled={del.isPending}
                  onClick={() => del.mutate(memo.id, { onSuccess: props.onDeleted })}
                >
                  Yes, delete
                </button>
                <button type="button" onClick={() => setAsking(false)}>
                  Cancel
                </button>
              </span>
            ) : (
              <button type="button" class="danger" onClick={() => setAsking(true)}>
                Delete memo
              </button>
            ))}
        </div>
        {save.isError && (
          <p class="error" role="alert">
            Could not save: {errorMessage(save.error)}. Your text is still here.
          </p>
        )}
        {del.isError && (
          <p class="error" role="alert">
            Could not delete: {errorMessage(del.error)}
          </p>
        )}
      </form>
      <section aria-labelledby="memo-att-h" class="panel-section">
        <h3 id="memo-att-h">Attachments</h3>
        {memo ? (
          <AttachmentList owner={{ memo_id: memo.id }} />
        ) : (
          <p class="muted small">Save the memo first, then drop files on it or choose them here.</p>
        )}
      </section>
    </section>
  );
}
