import fs from 'node:fs';
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { App } from '../../lib/app-type.js';
import { validationError } from '../../lib/errors.js';
import { errorResponses, IdParams } from '../common/schemas.js';
import { resourceRoutes } from '../common/routes.js';
import { Attachment, AttachmentList, AttachmentOwnerQuery } from './attachments.schemas.js';
import { ownerOf, type AttachmentsService } from './attachments.service.js';

/** `attachment; filename="..."` with an ASCII fallback and the exact name in RFC 5987 form. */
function disposition(kind: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export async function attachmentsRoutes(app: App, opts: { attachments: AttachmentsService }): Promise<void> {
  const { attachments } = opts;
  // Declared through resourceRoutes: GET /api/attachments; DELETE /api/attachments/:id
  const attachmentRoutes = resourceRoutes(app, 'attachments', '/api/attachments', Attachment);
  // Only this scope reads multipart bodies; everything else stays JSON-only.
  await app.register(multipart, {
    // A file over the limit is cut, its remainder read and dropped, and answered with 413.
    throwFileSizeLimit: false,
    limits: {
      fileSize: attachments.maxBytes,
      files: 1,
      fields: 10,
      fieldSize: 1024,
      parts: 20,
      headerPairs: 100,
    },
  });

  app.post(
    '/api/attachments',
    {
      schema: {
        tags: ['attachments'],
        summary: 'Attach a file to a memo or a todo (multipart field "file")',
        consumes: ['multipart/form-data'],
        querystring: AttachmentOwnerQuery,
        response: { 201: Type.Ref(Attachment), ...errorResponses(400, 401, 404, 413) },
      },
    },
    async (req, reply) => {
      const owner = ownerOf(req.query);
      if (!req.isMultipart())
        throw validationError('file', 'send the file as multipart/form-data in the field "file"');
      await attachments.requireOwner(owner);
      const part = await req.file();
      if (!part) throw validationError('file', 'the field "file" is required');
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw validationError('file', `the file must be sent in the field "file", not "${part.fieldname}"`);
      }
      const created = await attachments.upload(owner, {
        filename: part.filename,
        mimetype: part.mimetype,
        stream: part.file,
        tooLarge: () => part.file.truncated,
      });
      return reply.code(201).send(created);
    },
  );

  attachmentRoutes.list(
    {
      summary: "A memo's or a todo's attachments, newest first",
      querystring: AttachmentOwnerQuery,
      response: AttachmentList,
      errors: [400, 401, 404],
    },
    (query) => attachments.list(ownerOf(query)),
  );

  app.get(
    '/api/attachments/:id/download',
    {
      schema: {
        tags: ['attachments'],
        summary: 'The file itself; anything a browser could run downloads instead of opening',
        params: IdParams,
        response: {
          200: Type.Unknown({ description: 'The bytes, with the stored content type' }),
          ...errorResponses(401, 404),
        },
      },
    },
    async (req, reply) => {
      const { attachment, path, inline } = await attachments.download(req.params.id);
      return (
        reply
          .header('content-type', attachment.content_type)
          .header('content-length', attachment.size_bytes)
          .header('content-disposition', disposition(inline ? 'inline' : 'attachment', attachment.filename))
          .header('x-content-type-options', 'nosniff')
          // Even if a browser were made to render it, it runs in an opaque origin with no script.
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'private, no-store')
          .send(fs.createReadStream(path))
      );
    },
  );

  attachmentRoutes.remove({ summary: 'Delete an attachment and its file' }, (id) => attachments.remove(id));
}
