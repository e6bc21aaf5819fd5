import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { DateTime } from 'luxon';
import type { App } from '../../lib/app-type.js';
import { errorResponses } from '../common/schemas.js';
import { FORMAT, READABLE_VERSIONS, TABLES, VERSION } from './export.format.js';
import type { createExporter } from './export.service.js';
import type { createImporter } from './import.service.js';

export interface ExportRoutesOptions {
  exporter: ReturnType<typeof createExporter>;
  importer: ReturnType<typeof createImporter>;
  timezone: () => string;
  now: () => Date;
  /** IMPORT_LIMIT_MB in bytes: the import's own body limit (the document carries its files). */
  importLimitBytes: number;
}

const Counts = Type.Object(Object.fromEntries(TABLES.map((t) => [t.name, Type.Integer()])));

const ImportBody = Type.Object(
  {
    format: Type.Literal(FORMAT),
    version: Type.Integer({ description: `Versions this server reads: ${READABLE_VERSIONS.join(', ')}` }),
    exported_at: Type.Optional(Type.String()),
    tables: Type.Object(
      {},
      { additionalProperties: true, description: 'Table name -> rows (docs/EXPORT.md)' },
    ),
    attachments_data: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: 'Attachment id -> base64 bytes, or null' }),
    ),
  },
  { additionalProperties: false },
);

export async function exportRoutes(app: App, opts: ExportRoutesOptions): Promise<void> {
  app.get(
    '/api/export',
    {
      schema: {
        tags: ['export'],
        summary: 'Everything, as one JSON document (streamed)',
        description:
          `A "${FORMAT}" document, version ${VERSION} (docs/EXPORT.md), read from one snapshot: every ` +
          'todo, event (with its changed occurrences), memo, task relationship, attachment (with its bytes ' +
          "inline, base64), conversation, message, agent task, notification and the owner's settings. " +
          'Never sessions, push tokens or the PIN.',
        produces: ['application/json'],
        response: {
          // Streamed as written (never serialized here): the shape is in docs/EXPORT.md.
          200: Type.Unknown({
            description: `{"format": "${FORMAT}", "version": ${VERSION}, "exported_at", "tables", "attachments_data"}`,
          }),
          ...errorResponses(401),
        },
      },
    },
    async (_req, reply) => {
      const day = DateTime.fromJSDate(opts.now(), { zone: opts.timezone() }).toISODate();
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="clawchat-export-${day}.json"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(opts.exporter.document()));
    },
  );

  app.post(
    '/api/import',
    {
      bodyLimit: opts.importLimitBytes,
      schema: {
        tags: ['export'],
        summary: 'Import an export document (all or nothing)',
        description:
          'Ids are kept; rows whose id already exists are skipped and counted. Every row is checked as ' +
          'the API would check it (rules, zones, dates, file types and sizes). One transaction: a row ' +
          'that is invalid or refers to nothing answers 400 naming its table and row, and nothing is ' +
          'written. The body may be up to IMPORT_LIMIT_MB (default 200 MB).',
        body: ImportBody,
        response: {
          200: Type.Object({ imported: Counts, skipped: Counts }),
          ...errorResponses(400, 401, 413),
        },
      },
    },
    async (req) => opts.importer.run(req.body),
  );
}
