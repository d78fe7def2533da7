import { z } from 'zod';
import { ZEventFilters, ZEventFiltersInput } from '../events';
import { ZExportColumn } from './export-columns';
import { isValidTimeZone } from './export-file-writer';
import { ZObjectIdHex } from '../common/object-id';

/** `ndjson`: one self-checking line per event, for offline verification (docs/INTEGRITY.md). */
export const ZExportFormat = z.enum(['csv', 'xlsx', 'ndjson']);
export const ZExportStatus = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
const ZExportId = ZObjectIdHex('an export id');

export const ZCreateExportInput = z
  .object({
    format: ZExportFormat,
    filters: ZEventFiltersInput.default({}),
    /** Extra columns after the default ones. */
    columns: z.array(ZExportColumn).max(40, { message: 'at most 40 columns' }).optional(),
    timeZone: z
      .string()
      .max(64)
      .refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' })
      .default('UTC'),
    /** CSV: start with a UTF-8 byte-order mark so Excel reads accents correctly. */
    bom: z.boolean().default(true),
  })
  .strict();

export const ZExportByIdInput = z.object({ id: ZExportId }).strict();
export const ZListExportsInput = z.object({ limit: z.number().int().min(1).max(50).default(20) }).strict().default({ limit: 20 });

/** What the queue carries; the worker parses it before any work (an invalid payload is not retried). */
export const ZExportJobPayload = z.object({ exportId: ZExportId, tenantId: z.string().min(1).max(128) }).strict();

export const ZExportView = z.object({
  id: z.string(),
  format: ZExportFormat,
  status: ZExportStatus,
  filters: ZEventFilters,
  columns: z.array(ZExportColumn),
  timeZone: z.string(),
  requestedAt: z.date(),
  /** Who asked for it (the list shows only the caller's own, the page says so in words). */
  requestedBy: z.object({ id: z.string(), name: z.string().optional() }),
  startedAt: z.date().optional(),
  completedAt: z.date().optional(),
  progress: z.object({ rows: z.number().int(), total: z.number().int().nullable(), percent: z.number().nullable() }),
  file: z
    .object({
      fileName: z.string(),
      rows: z.number().int(),
      bytes: z.number().int(),
      downloadUrl: z.string(),
      /** The file's signed manifest (docs/INTEGRITY.md), when the log is signed on this server. */
      manifestUrl: z.string().optional(),
      expiresAt: z.date(),
    })
    .optional(),
  failureReason: z.string().optional(),
  /** Downloads were revoked (or the file removed early): no link works any more. */
  downloadsRevokedAt: z.date().optional(),
  /** The file was removed before it expired, and why (an erasure of personal data it held). */
  removed: z.object({ reason: z.literal('erasure'), at: z.date(), message: z.string() }).optional(),
});

export type TExportFormat = z.infer<typeof ZExportFormat>;
export type TExportStatus = z.infer<typeof ZExportStatus>;
export type TCreateExportInput = z.output<typeof ZCreateExportInput>;
export type TCreateExportRequest = z.input<typeof ZCreateExportInput>;
export type TExportJobPayload = z.infer<typeof ZExportJobPayload>;
export type TExportView = z.infer<typeof ZExportView>;
