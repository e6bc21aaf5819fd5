/**
 * Attachments of a todo or a memo, shared by the Tasks and Memos workspaces: list, upload
 * (multipart), download (with the token in a header, never the URL) and delete.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { api, unwrap, type Schemas } from './api';

export type Attachment = Schemas['Attachment'];
export type AttachmentOwner = { todo_id: string } | { memo_id: string };

export const attachmentKeys = {
  all: ['attachments'] as const,
  of: (owner: AttachmentOwner) => ['attachments', owner] as const,
};

export async function listAttachments(owner: AttachmentOwner): Promise<Attachment[]> {
  return unwrap(await api.GET('/api/attachments', { params: { query: owner } }));
}

export function useAttachments(owner: AttachmentOwner) {
  return useQuery({ queryKey: attachmentKeys.of(owner), queryFn: () => listAttachments(owner) });
}

export async function uploadAttachment(owner: AttachmentOwner, file: File): Promise<Attachment> {
  const form = new FormData();
  form.append('file', file, file.name);
  // The route declares no JSON body (it is multipart): hand openapi-fetch the FormData as is.
  return unwrap<Attachment>(
    await api.POST('/api/attachments', {
      params: { query: owner },
      body: form as never,
      bodySerializer: (b: unknown) => b as FormData,
    }),
  );
}

export function useUploadAttachment(owner: AttachmentOwner) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (file: File) => uploadAttachment(owner, file),
    onSettled: () => qc.invalidateQueries({ queryKey: attachmentKeys.of(owner) }),
  });
}

export function useDeleteAttachment(owner: AttachmentOwner) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      const res = await api.DELETE('/api/attachments/{id}', { params: { path: { id } } });
      if (res.error) unwrap(res);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: attachmentKeys.of(owner) }),
  });
}

/** Fetches the file with the session's token and hands it to the browser as a download. */
export async function downloadAttachment(a: Attachment): Promise<void> {
  const res = await api.GET('/api/attachments/{id}/download', {
    params: { path: { id: a.id } },
    parseAs: 'blob',
  });
  const blob = unwrap(res);
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = a.filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
