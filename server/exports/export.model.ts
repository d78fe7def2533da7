import type { ObjectId } from 'mongodb';
import type { TSignedEnvelope } from '../integrity';
import type { TExportView } from './export.schema';

export const EXPORTS_COLLECTION = 'audit_exports';

/**
 * An export as stored: what the API shows of it (ZExportView: format, status, filters, columns, zone,
 * times, failure) plus what only the server needs. `requestedAt`: the export covers the events
 * received up to this instant, so its row count is fixed.
 */
export type ExportDocument = Pick<TExportView, 'format' | 'status' | 'filters' | 'columns' | 'timeZone' | 'requestedAt' | 'startedAt' | 'completedAt' | 'failureReason'> & {
  _id: ObjectId;
  tenantId: string;
  requester: { id: string; name?: string; email?: string };
  bom: boolean;
  progress: Omit<TExportView['progress'], 'percent'>;
  attempts: number;
  /** The file being written by the current attempt; removed if that attempt dies. */
  partialFileId?: string;
  /** `manifest`: signed by the log's key when the log is sealed (docs/INTEGRITY.md). */
  file?: { id: string; fileName: string; contentType: string; rows: number; bytes: number; sha256: string; manifest?: TSignedEnvelope };
  cancelRequestedAt?: Date;
  /** Set by a revoke (or when the file was removed early): no link downloads the file any more. */
  downloadsRevokedAt?: Date;
  /** Saved with each progress tick of a running attempt: reconciliation leaves a live attempt alone. */
  heartbeatAt?: Date;
  /** Set when the file was removed before it expired: an erasure removed personal data it held. */
  removed?: TExportView['removed'];
  /** When the record and its file are deleted by the retention job. */
  expiresAt: Date;
};

export const EXPORT_INDEXES = [
  { name: 'tenant_requester_time', key: { tenantId: 1, 'requester.id': 1, requestedAt: -1 } },
  { name: 'expiry', key: { expiresAt: 1 } },
  // Caps count a tenant's unfinished exports; reconciliation lists them across tenants.
  { name: 'status_tenant', key: { status: 1, tenantId: 1 } },
] as const;
