import type { TAuditCaller } from '../access';
import { AuditLogError } from '../errors';
import { signDownloadToken } from './download-link';
import { resolveExportColumns } from './export-columns';
import type { ExportDocument } from './export.model';
import type { ExportQueue } from './export-queue';
import type { ExportRepository } from './export.repository';
import type { TCreateExportInput, TExportView } from './export.schema';

export interface ExportServiceDeps {
  exports: ExportRepository;
  queue: ExportQueue;
  signingSecret: string;
  retentionDays: number;
  /**
   * Where the download route is reached, e.g. `https://crm.example.com/audit-log` (the host's public
   * URL and the path it mounts the audit log's express router at); a path alone gives links
   * relative to the host.
   */
  linkBase: string;
  clock?: () => Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const LINK_LIFETIME_MS = DAY_MS;

const exportNotFound = () => new AuditLogError('NOT_FOUND', 'Export not found');

/** The download route, relative to where the audit log's express router is mounted. */
export const DOWNLOAD_ROUTE = '/exports/:id/download';
export const downloadPath = (exportId: string, token: string) => `/exports/${exportId}/download?token=${encodeURIComponent(token)}`;

export function createExportService(deps: ExportServiceDeps) {
  const clock = deps.clock ?? (() => new Date());

  const toView = (record: ExportDocument): TExportView => {
    const { rows, total } = record.progress;
    const view: TExportView = {
      id: record._id.toHexString(),
      format: record.format,
      status: record.status,
      filters: record.filters,
      columns: record.columns,
      timeZone: record.timeZone,
      requestedAt: record.requestedAt,
      startedAt: record.startedAt,
      completedAt: record.completedAt,
      progress: { rows, total, percent: total ? Math.min(100, Math.round((rows / total) * 1000) / 10) : total === 0 ? 100 : null },
      failureReason: record.failureReason,
    };
    if (record.status === 'completed' && record.file) {
      // A fresh link each time the record is read: signed, tied to the requester, short-lived.
      const linkExpiry = Math.min(record.expiresAt.getTime(), clock().getTime() + LINK_LIFETIME_MS);
      const token = signDownloadToken(
        { exportId: view.id, tenantId: record.tenantId, requesterId: record.requester.id, expiresAt: linkExpiry },
        deps.signingSecret,
      );
      view.file = {
        fileName: record.file.fileName,
        rows: record.file.rows,
        bytes: record.file.bytes,
        downloadUrl: `${deps.linkBase}${downloadPath(view.id, token)}`,
        expiresAt: record.expiresAt,
      };
    }
    return view;
  };

  return {
    toView,

    async create(caller: TAuditCaller, input: TCreateExportInput): Promise<TExportView> {
      const now = clock();
      const record: ExportDocument = {
        _id: deps.exports.newId(),
        tenantId: caller.tenantId,
        requester: { id: caller.actorId, name: caller.actorName },
        format: input.format,
        filters: input.filters,
        columns: resolveExportColumns(input.columns),
        timeZone: input.timeZone,
        bom: input.bom,
        status: 'queued',
        requestedAt: now,
        progress: { rows: 0, total: null },
        attempts: 0,
        expiresAt: new Date(now.getTime() + deps.retentionDays * DAY_MS),
      };
      if (record.requester.name === undefined) delete record.requester.name;
      await deps.exports.insert(record);
      const exportId = record._id.toHexString();
      // The job id is the export id: enqueueing the same export twice adds one job.
      await deps.queue.add('export', { exportId, tenantId: caller.tenantId }, { jobId: exportId });
      return toView(record);
    },

    async get(caller: TAuditCaller, exportId: string): Promise<TExportView> {
      const record = await deps.exports.findById(caller.tenantId, exportId);
      if (!record || record.requester.id !== caller.actorId) throw exportNotFound();
      return toView(record);
    },

    async list(caller: TAuditCaller, limit: number): Promise<TExportView[]> {
      return (await deps.exports.listForRequester(caller.tenantId, caller.actorId, limit)).map(toView);
    },

    async cancel(caller: TAuditCaller, exportId: string): Promise<TExportView> {
      const record = await deps.exports.requestCancel(caller.tenantId, exportId, caller.actorId, clock());
      if (!record) throw exportNotFound();
      if (record.status === 'cancelled') await deps.queue.remove(exportId).catch(() => 0);
      return toView(record);
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
