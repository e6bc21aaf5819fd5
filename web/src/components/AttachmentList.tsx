/** A todo's or a memo's files: upload (picker or drop), download with the session, delete. */
import './workspace.css';
import { useState } from 'preact/hooks';
import { errorMessage } from '../lib/api';
import {
  downloadAttachment,
  useAttachments,
  useDeleteAttachment,
  useUploadAttachment,
  type AttachmentOwner,
} from '../lib/attachments';

const size = (n: number) =>
  n < 1024 ? `${n} B` : n < 1048576 ? `${Math.round(n / 1024)} KB` : `${(n / 1048576).toFixed(1)} MB`;

export function AttachmentList({ owner }: { owner: AttachmentOwner }) {
  const list = useAttachments(owner);
  const upload = useUploadAttachment(owner);
  const del = useDeleteAttachment(owner);
  const [error, setError] = useState<string | null>(null);
  const send = (files: FileList | null | undefined) => {
    setError(null);
    for (const f of Array.from(files ?? []))
      upload.mutate(f, { onError: (e) => setError(`Could not upload ${f.name}: ${errorMessage(e)}`) });
  };
  return (
    <div class="attachments">
      {list.data?.length === 0 && <p class="muted small">No files yet. Choose one, or drop it here.</p>}
      <ul class="plain">
        {list.data?.map((a) => (
          <li key={a.id} class="attachment">
            <button
              type="button"
              class="linkish"
              aria-label={`Download ${a.filename}`}
              onClick={() =>
                void downloadAttachment(a).catch((e: unknown) =>
                  setError(`Could not download: ${errorMessage(e)}`),
                )
              }
            >
              {a.filename}
            </button>
            <span class="muted small">{size(a.size_bytes)}</span>
            <button
              type="button"
              class="ghost"
              aria-label={`Delete attachment ${a.filename}`}
              onClick={() =>
                del.mutate(a.id, { onError: (e) => setError(`Could not delete: ${errorMessage(e)}`) })
              }
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <label class="file-pick">
        <span>{upload.isPending ? 'Uploading…' : 'Attach a file'}</span>
        <input
          type="file"
          class="sr-only"
          onChange={(e) => {
            send(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Props that make an element accept dropped files for upload. */
export function dropProps(onFiles: (files: FileList) => void) {
  return {
    onDragOver: (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    },
    onDrop: (e: DragEvent) => {
      if (!e.dataTransfer?.files.length) return;
      e.preventDefault();
      onFiles(e.dataTransfer.files);
    },
  };
}
