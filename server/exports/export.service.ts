import type { TAuditCaller } from '../access';
import { withoutUndefined } from '../common/without-undefined';
import { AuditLogError } from '../errors';
import type { ExportLinks } from './export-links';
import { resolveExportColumns } from './export-columns';
import type { ExportDocument } from './export.model';
import type { ExportQueue } from './export.job';
import type { ExportRepository } from './export.repository';
import type { TCreateExportInput, TExportView } from './export.schema';
import { fairExportPriority } from './export-slots';

export interface ExportServiceDeps {
  exports: ExportRepository;
  /** Made on first use: BullMQ loads with the first export, not with the audit log. */
  queue: () => ExportQueue;
  links: ExportLinks;
  retentionDays: number;
  limits: ExportLimits;
  /** Whether exports get proofs and signed manifests (the log is signed here); NDJSON needs it. */
  signed?: boolean;
  clock?: () => Date;
}

/** Caps on exports queued or running, checked when one is requested. */
export interface ExportLimits {
  maxQueuedPerRequester: number;
  maxQueuedPerTenant: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const exportNotFound = () => new AuditLogError('NOT_FOUND', 'Export not found');

function refuseOverLimit(unfinished: { tenant: number; requester: number }, limits: ExportLimits): void {
  if (unfinished.requester >= limits.maxQueuedPerRequester) {
    throw new AuditLogError('EXPORT_LIMIT_REACHED', `You already have ${unfinished.requester} exports queued or running (the limit is ${limits.maxQueuedPerRequester}): wait for one to finish or cancel one`);
  }
  if (unfinished.tenant >= limits.maxQueuedPerTenant) {
    throw new AuditLogError('EXPORT_LIMIT_REACHED', `This workspace already has ${unfinished.tenant} exports queued or running (the limit is ${limits.maxQueuedPerTenant}): try again once some have finished`);
  }
}

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
      requestedBy: record.requester.name ? { id: record.requester.id, name: record.requester.name } : { id: record.requester.id },
      startedAt: record.startedAt,
      completedAt: record.completedAt,
      progress: { rows, total, percent: total ? Math.min(100, Math.round((rows / total) * 1000) / 10) : total === 0 ? 100 : null },
      failureReason: record.failureReason,
      downloadsRevokedAt: record.downloadsRevokedAt,
    };
    if (record.removed) view.removed = record.removed;
    if (record.status === 'completed' && record.file && !record.downloadsRevokedAt) {
      const { fileName, rows: fileRows, bytes } = record.file;
      view.file = { fileName, rows: fileRows, bytes, downloadUrl: deps.links.downloadUrl(record), expiresAt: record.expiresAt };
      if (record.file.manifest) view.file.manifestUrl = deps.links.manifestUrl(record);
    }
    return view;
  };

  return {
    toView,

    async create(caller: TAuditCaller, input: TCreateExportInput): Promise<TExportView> {
      // Counted, then inserted: requests racing each other may pass the cap together, by at most their number.
      const unfinished = await deps.exports.countUnfinished(caller.tenantId, caller.actorId);
      refuseOverLimit(unfinished, deps.limits);
      if (input.format === 'ndjson' && !deps.signed) throw new AuditLogError('NOT_CONFIGURED', 'NDJSON exports need the integrity signing key, which is not configured on this server');
      const now = clock();
      const record: ExportDocument = {
        _id: deps.exports.newId(),
        tenantId: caller.tenantId,
        requester: withoutUndefined({ id: caller.actorId, name: caller.actorName, email: caller.actorEmail }),
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
      await deps.exports.insert(record);
      const exportId = record._id.toHexString();
      // The job id is the export id: enqueueing the same export twice adds one job.
      await deps.queue().add('export', { exportId, tenantId: caller.tenantId }, { jobId: exportId, priority: fairExportPriority(unfinished.tenant) });
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

    /** Every link of the export stops working, in-app, e-mailed and posted alike. */
    async revokeDownloads(caller: TAuditCaller, exportId: string): Promise<TExportView> {
      const record = await deps.exports.revokeDownloads(caller.tenantId, exportId, caller.actorId, clock());
      if (!record) throw exportNotFound();
      return toView(record);
    },

    async cancel(caller: TAuditCaller, exportId: string): Promise<TExportView> {
      const record = await deps.exports.requestCancel(caller.tenantId, exportId, caller.actorId, clock());
      if (!record) throw exportNotFound();
      if (record.status === 'cancelled') await deps.queue().remove(exportId).catch(() => 0);
      return toView(record);
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
