import { z } from 'zod';
import { renderedFailureReason, storedActorEmail, type EventDocument } from '../events';

export type CellValue = string | number | Date | undefined;

interface ColumnDefinition {
  header: string;
  /** Width in characters for XLSX. */
  width: number;
  kind: 'text' | 'number' | 'date';
  value(event: EventDocument, labels: ReadonlyMap<string, string>): CellValue;
}

/**
 * Reads stored documents directly: no JSON decoding per row on a million-row export. Names and the
 * description come from the stored form's search part (rendered at write, kept by erasure).
 */
export const EXPORT_COLUMNS = {
  user: { header: 'User', width: 26, kind: 'text', value: (e) => e.search.actorName ?? storedActorEmail(e) ?? e.actor.id },
  occurredAt: { header: 'Date/time', width: 22, kind: 'date', value: (e) => e.occurredAt },
  action: { header: 'Action', width: 26, kind: 'text', value: (e, labels) => labels.get(e.action) ?? e.action },
  subject: {
    header: 'Subject',
    width: 30,
    kind: 'text',
    value: (e) => (e.subject ? (e.search.subjectName ?? `${e.subject.type} ${e.subject.id}`) : undefined),
  },
  description: { header: 'Description', width: 60, kind: 'text', value: (e) => e.search.description },
  editCount: { header: 'Number of edits', width: 10, kind: 'number', value: (e) => e.editCount },
  status: { header: 'Status', width: 10, kind: 'text', value: (e) => e.status },
  deviceType: { header: 'Device type', width: 12, kind: 'text', value: (e) => e.context?.deviceType },
  ip: { header: 'IP address', width: 18, kind: 'text', value: (e) => e.context?.ip },
  sessionId: { header: 'Session ID', width: 24, kind: 'text', value: (e) => e.context?.sessionId },
  userAgent: { header: 'User agent', width: 40, kind: 'text', value: (e) => e.context?.userAgent },
  // Optional columns a request can name:
  eventId: { header: 'Event ID', width: 26, kind: 'text', value: (e) => e._id.toHexString() },
  actionName: { header: 'Action code', width: 24, kind: 'text', value: (e) => e.action },
  actorId: { header: 'User ID', width: 24, kind: 'text', value: (e) => e.actor.id },
  actorEmail: { header: 'User e-mail', width: 28, kind: 'text', value: (e) => storedActorEmail(e) },
  actorRole: { header: 'User role', width: 12, kind: 'text', value: (e) => e.actor.role },
  subjectType: { header: 'Subject type', width: 14, kind: 'text', value: (e) => e.subject?.type },
  subjectId: { header: 'Subject ID', width: 26, kind: 'text', value: (e) => e.subject?.id },
  failureReason: { header: 'Failure reason', width: 40, kind: 'text', value: (e) => renderedFailureReason(e) },
  browser: { header: 'Browser', width: 16, kind: 'text', value: (e) => e.context?.browser },
  os: { header: 'OS', width: 16, kind: 'text', value: (e) => e.context?.os },
  requestId: { header: 'Request ID', width: 24, kind: 'text', value: (e) => e.context?.requestId },
  integrationProvider: { header: 'Integration', width: 14, kind: 'text', value: (e) => e.integration?.provider },
  integrationExternalId: { header: 'External ID', width: 24, kind: 'text', value: (e) => e.integration?.externalId },
  receivedAt: { header: 'Received at', width: 22, kind: 'date', value: (e) => e.receivedAt },
} satisfies Record<string, ColumnDefinition>;

export type TExportColumn = keyof typeof EXPORT_COLUMNS;
export const ZExportColumn = z.enum(Object.keys(EXPORT_COLUMNS) as [TExportColumn, ...TExportColumn[]]);

export const DEFAULT_EXPORT_COLUMNS: TExportColumn[] = [
  'user', 'occurredAt', 'action', 'subject', 'description', 'editCount', 'status', 'deviceType', 'ip', 'sessionId', 'userAgent',
];

/** The default columns, then any extra the request names, each once. */
export function resolveExportColumns(requested: readonly TExportColumn[] = []): TExportColumn[] {
  return [...new Set([...DEFAULT_EXPORT_COLUMNS, ...requested])];
}
