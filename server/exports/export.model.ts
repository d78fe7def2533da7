import type { ObjectId } from 'mongodb';
import type { TEventFilters } from '../events';
import type { TExportColumn } from './export-columns';
import type { TExportFormat, TExportStatus } from './export.schema';

export const EXPORTS_COLLECTION = 'audit_exports';

export interface ExportDocument {
  _id: ObjectId;
  tenantId: string;
  requester: { id: string; name?: string; email?: string };
  format: TExportFormat;
  filters: TEventFilters;
  columns: TExportColumn[];
  timeZone: string;
  bom: boolean;
  status: TExportStatus;
  /** The export covers events received up to this instant, so its row count is fixed. */
  requestedAt: Date;
  startedAt?: Date;
  completedAt?: Date;
  progress: { rows: number; total: number | null };
  attempts: number;
  /** The file being written by the current attempt; removed if that attempt dies. */
  partialFileId?: string;
  file?: { id: string; fileName: string; contentType: string; rows: number; bytes: number; sha256: string };
  failureReason?: string;
  cancelRequestedAt?: Date;
  /** When the record and its file are deleted by the retention job. */
  expiresAt: Date;
}

export const EXPORT_INDEXES = [
  { name: 'tenant_requester_time', key: { tenantId: 1, 'requester.id': 1, requestedAt: -1 } },
  { name: 'expiry', key: { expiresAt: 1 } },
] as const;
