import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Collection } from 'mongodb';
import type { Logger } from 'pino';
import type { ActionCatalog } from '../events/action-catalog';
import type { EventDocument } from '../events/event.document';
import { buildEventFilter, EVENT_SORT } from '../events/event-query';
import type { TAuditEventInput } from '../events/event.schema';
import { createExportFileWriter } from './export-file-writer';
import type { ExportDocument } from './export.model';
import type { ExportRepository } from './export.repository';
import { ZExportJobPayload, type TExportJobPayload } from './export.schema';
import type { ExportService } from './export.service';
import type { ExportSlots } from './export-slots';
import type { ExportStorage, StoredFileUpload } from './export-storage';
import type { NotificationService } from '../notifications/notification.service';
import { auditContext } from '../recorder/audit-context';

export interface ExportProcessorDeps {
  exports: ExportRepository;
  exportService: ExportService;
  events: Collection<EventDocument>;
  storage: ExportStorage;
  slots: ExportSlots;
  notifications: NotificationService;
  record: (event: TAuditEventInput) => string;
  catalog: ActionCatalog;
  logger: Logger;
  /** How often progress is saved and cancellation checked. */
  progressIntervalMs?: number;
  /** How long a job waits before trying again when its tenant has no free slot. */
  slotRetryMs?: number;
  cursorBatchSize?: number;
  /**
   * Count the export's rows for the progress total (default true). Off where a count is a second
   * full scan (FerretDB): progress then shows rows written, and the total arrives with the file.
   */
  countTotal?: boolean;
  clock?: () => Date;
}

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

class ExportCancelled extends Error {}

/** Events of the export: its filters, bounded by the moment it was requested, newest first. */
export function exportEventFilter(record: ExportDocument) {
  const to = record.filters.to && record.filters.to < record.requestedAt ? record.filters.to : record.requestedAt;
  return { ...buildEventFilter(record.tenantId, { ...record.filters, to }), receivedAt: { $lte: record.requestedAt } };
}

export function createExportProcessor(deps: ExportProcessorDeps) {
  const clock = deps.clock ?? (() => new Date());
  const progressIntervalMs = deps.progressIntervalMs ?? 1_000;
  const countTotal = deps.countTotal ?? true;

  return async function processExport(job: Job<TExportJobPayload>, token?: string): Promise<{ rows: number } | undefined> {
    const parsed = ZExportJobPayload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid export payload: ${parsed.error.message}`);
    const { tenantId, exportId } = parsed.data;
    const log = deps.logger.child({ exportId, tenantId, jobId: job.id });

    const queued = await deps.exports.findById(tenantId, exportId);
    if (!queued || !['queued', 'running'].includes(queued.status)) return undefined;
    if (!(await deps.slots.acquire(tenantId, exportId))) {
      // Fairness: the tenant already runs its share of exports; try again shortly.
      await job.moveToDelayed(Date.now() + (deps.slotRetryMs ?? 2_000), token);
      throw new DelayedError();
    }

    let upload: StoredFileUpload | undefined;
    try {
      if (queued.partialFileId) await deps.storage.remove(queued.partialFileId); // left by an attempt that died
      const fileName = `audit-log-${queued.requestedAt.toISOString().slice(0, 10)}-${exportId}.${queued.format}`;
      upload = deps.storage.create(fileName, { tenantId, exportId, contentType: CONTENT_TYPES[queued.format] });
      const record = await deps.exports.markRunning(tenantId, exportId, upload.fileId, clock());
      if (!record) throw new ExportCancelled();

      const rows = await writeFile(record, upload, job, log);
      const { bytes, sha256 } = await upload.finished;
      const file = { id: upload.fileId, fileName, contentType: CONTENT_TYPES[record.format], rows, bytes, sha256 };
      if (await deps.exports.complete(tenantId, exportId, file, clock())) await announce(record, 'completed', rows);
      log.info({ rows, bytes }, 'export completed');
      return { rows };
    } catch (error) {
      await upload?.abort().catch((abortError) => log.warn({ err: abortError }, 'could not remove a partial export file'));
      if (error instanceof ExportCancelled) {
        await deps.exports.markCancelled(tenantId, exportId, clock());
        log.info('export cancelled');
        return undefined;
      }
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      log.warn({ err: error, attempt: job.attemptsMade + 1, lastAttempt }, 'export attempt failed');
      if (lastAttempt && (await deps.exports.fail(tenantId, exportId, 'The export could not be completed', clock()))) {
        await announce(queued, 'failed', 0, (error as Error).message);
      }
      throw error;
    } finally {
      await deps.slots.release(tenantId, exportId);
    }
  };

  async function writeFile(record: ExportDocument, upload: StoredFileUpload, job: Job, log: Logger): Promise<number> {
    const exportId = record._id.toHexString();
    const filter = exportEventFilter(record);
    const writer = createExportFileWriter(upload.stream, {
      format: record.format,
      columns: record.columns,
      timeZone: record.timeZone,
      actionLabels: new Map(deps.catalog.list().map(({ name, label }) => [name, label])),
      bom: record.bom,
    });
    // Cancelling aborts the server reads at once, even a sort the server is still working on.
    const abort = new AbortController();
    const cursor = deps.events.find(filter, { signal: abort.signal }).sort(EVENT_SORT).batchSize(deps.cursorBatchSize ?? 2_000);
    let rows = 0;
    let total: number | null = null;
    let cancelled = false;
    // The total for progress is counted once the first rows are in, so it never competes with a
    // server that sorts before answering; once the stream has ended the rows are the total, so an
    // unfinished count is abandoned.
    let counting: Promise<unknown> | undefined;
    const countAbort = new AbortController();
    abort.signal.addEventListener('abort', () => countAbort.abort());
    const startCounting = () => {
      counting = deps.events.countDocuments(filter, { signal: countAbort.signal }).then((count) => (total = count));
      counting.catch(() => undefined);
    };

    // Progress, lock renewal and cancellation run on a timer, not per row: a cancel also lands
    // while the server is still sorting, and progress is written about once per interval.
    let ticking = Promise.resolve();
    const timer = setInterval(() => {
      ticking = ticking.then(async () => {
        if (cancelled) return;
        if (await deps.exports.isCancelRequested(record.tenantId, exportId)) {
          cancelled = true;
          abort.abort();
          return;
        }
        await Promise.all([
          deps.exports.setProgress(record.tenantId, exportId, { rows, total }),
          job.updateProgress({ rows, total }),
          deps.slots.renew(record.tenantId, exportId),
        ]);
      }).catch((error: unknown) => log.warn({ err: error }, 'could not save export progress'));
    }, progressIntervalMs);

    try {
      for await (const event of cursor) {
        if (!counting && countTotal) startCounting();
        const backedUp = writer.writeRow(event);
        if (backedUp) await backedUp;
        rows++;
      }
    } catch (error) {
      if (!cancelled) throw error;
    } finally {
      clearInterval(timer);
      await ticking;
      await cursor.close().catch(() => undefined);
    }
    if (cancelled) throw new ExportCancelled();
    countAbort.abort();
    await writer.finish();
    log.debug({ rows, total }, 'export file written');
    return rows;
  }

  /** Once per outcome: the callers only get here after winning the status transition. */
  async function announce(record: ExportDocument, outcome: 'completed' | 'failed', rows: number, reason?: string): Promise<void> {
    const exportId = record._id.toHexString();
    const fresh = await deps.exports.findById(record.tenantId, exportId);
    const view = fresh ? deps.exportService.toView(fresh) : undefined;
    await deps.notifications.notify({
      tenantId: record.tenantId,
      user: { id: record.requester.id },
      kind: outcome === 'completed' ? 'export.completed' : 'export.failed',
      dedupeKey: `export:${exportId}:${outcome}`,
      title: outcome === 'completed' ? 'Your audit log export is ready' : 'Your audit log export failed',
      body:
        outcome === 'completed'
          ? `${rows.toLocaleString('en-US')} events exported to ${record.format.toUpperCase()}.`
          : 'The export could not be completed. Please try again.',
      link: view?.file?.downloadUrl,
      exportId,
    });
    auditContext.run({ tenantId: record.tenantId, actor: { id: record.requester.id, name: record.requester.name, type: 'user' }, request: {} }, () =>
      deps.record({
        action: 'audit_log.exported',
        subject: { type: 'audit_log_export', id: exportId },
        description: outcome === 'completed' ? `Exported ${rows} audit events to ${record.format.toUpperCase()}` : `Audit log export to ${record.format.toUpperCase()} failed`,
        status: outcome === 'completed' ? 'success' : 'failure',
        failureReason: outcome === 'failed' ? (reason || 'unknown error').slice(0, 1_000) : undefined,
        metadata: { format: record.format, rowCount: rows, filters: JSON.parse(JSON.stringify(record.filters)) as Record<string, string> },
      }),
    );
  }
}
