import type { ConnectionOptions, Job, Queue } from 'bullmq';
import { lazyModule } from '../common/lazy-module';
import { type TExportJobPayload, ZExportJobPayload } from './export.schema';
import type { Logger } from 'pino';
import type { ActionCatalog, EventRepository } from '../events';
import { trackExportAttempt, ExportCancelled, writeExportRows } from './export-attempt';
import { createExportFileWriter } from './export-file-writer';
import type { ExportIntegrity } from './export-integrity';
import { announceExportOutcome, type ExportOutcomeDeps } from './export-outcome';
import type { ExportSlots } from './export-slots';
import type { ExportStorage, StoredFileUpload } from './export-storage';

/** BullMQ with the first export request or worker (create-exports.ts makes the queue then): 4 MB of heap a host holds only once it exports. */
export const bullmq = lazyModule(() => require('bullmq') as typeof import('bullmq'));

export const EXPORT_QUEUE = 'audit-exports';
export const RETENTION_JOB = 'export-retention';

/** Retries with backoff; BullMQ's stalled-job check hands a killed worker's job to another one. */
export const EXPORT_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { count: 1_000 },
  removeOnFail: { count: 1_000 },
} as const;

export function createExportQueue(connection: ConnectionOptions, prefix: string) {
  return new (bullmq().Queue)<TExportJobPayload>(EXPORT_QUEUE, { connection, prefix, defaultJobOptions: EXPORT_JOB_OPTIONS });
}

export type ExportQueue = ReturnType<typeof createExportQueue>;

export interface ExportJobDeps extends ExportOutcomeDeps {
  events: EventRepository;
  storage: ExportStorage;
  slots: ExportSlots;
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
  /** When the log is sealed and signed: NDJSON lines and every file's signed manifest. */
  integrity?: ExportIntegrity;
  clock?: () => Date;
  hooks?: ExportJobHooks;
}

/**
 * Points where a test holds a real worker to make a race deterministic (a cancel that lands while
 * the file is being finished). Production code passes none.
 */
export interface ExportJobHooks {
  /** The file is stored; the record is not yet completed. */
  beforeComplete?: (exportId: string) => Promise<void>;
}

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ndjson: 'application/x-ndjson; charset=utf-8',
} as const;

/** How long an attempt waits for the sealer and the next checkpoint to cover its events. */
const SEALED_WAIT_MS = 120_000;

/**
 * The export job, one attempt: take the tenant's slot, open the file, stream the rows, finish or
 * fail once. A retried or taken-over attempt starts the file again (the dead attempt's partial
 * file is removed first).
 */
export function createExportJob(deps: ExportJobDeps) {
  const clock = deps.clock ?? (() => new Date());

  return async function runExportJob(job: Job<TExportJobPayload>, token?: string): Promise<{ rows: number } | undefined> {
    const parsed = ZExportJobPayload.safeParse(job.data);
    if (!parsed.success) throw new (bullmq().UnrecoverableError)(`invalid export payload: ${parsed.error.message}`);
    const { tenantId, exportId } = parsed.data;
    const log = deps.logger.child({ exportId, tenantId, jobId: job.id });

    const queued = await deps.exports.findById(tenantId, exportId);
    if (!queued || !['queued', 'running'].includes(queued.status)) return undefined;
    if (!(await deps.slots.acquire(tenantId, exportId))) {
      // Fairness: the tenant already runs its share of exports; try again shortly.
      await job.moveToDelayed(Date.now() + (deps.slotRetryMs ?? 2_000), token);
      throw new (bullmq().DelayedError)();
    }

    let upload: StoredFileUpload | undefined;
    try {
      if (queued.partialFileId) await deps.storage.remove(queued.partialFileId); // left by an attempt that died
      const fileName = `audit-log-${queued.requestedAt.toISOString().slice(0, 10)}-${exportId}.${queued.format}`;
      upload = deps.storage.create(fileName, { tenantId, exportId, contentType: CONTENT_TYPES[queued.format] });
      const record = await deps.exports.markRunning(tenantId, exportId, upload.fileId, clock());
      if (!record) throw new ExportCancelled();
      const proof = await deps.integrity?.begin(record, AbortSignal.timeout(SEALED_WAIT_MS));

      const writer = createExportFileWriter(upload.stream, {
        format: record.format,
        columns: record.columns,
        timeZone: record.timeZone,
        actionLabels: new Map(deps.catalog.list().map(({ name, label }) => [name, label])),
        bom: record.bom,
        proof,
      });
      const attempt = trackExportAttempt({ exports: deps.exports, slots: deps.slots, job, tenantId, exportId, intervalMs: deps.progressIntervalMs ?? 1_000, log });
      const rows = await writeExportRows(record, writer, { events: deps.events, attempt, countTotal: deps.countTotal ?? true, batchSize: deps.cursorBatchSize ?? 2_000 });
      await writer.finish();
      const { bytes, sha256 } = await upload.finished;
      const manifest = await proof?.manifest({ fileName, bytes, sha256, rows });
      const file = { id: upload.fileId, fileName, contentType: CONTENT_TYPES[record.format], rows, bytes, sha256, ...(manifest && { manifest }) };
      await deps.hooks?.beforeComplete?.(exportId);
      if (!(await deps.exports.complete(tenantId, exportId, file, clock()))) {
        // A cancel landed while the file was being finished, or another attempt ended it first (then only its file is kept).
        if (await deps.exports.isCancelRequested(tenantId, exportId)) throw new ExportCancelled();
        await upload.abort();
        return undefined;
      }
      await announceExportOutcome(deps, record, 'completed', rows);
      log.info({ rows, bytes }, 'export completed');
      return { rows };
    } catch (error) {
      await upload?.abort().catch((abortError: unknown) => log.warn({ err: abortError }, 'could not remove a partial export file'));
      if (error instanceof ExportCancelled) {
        await deps.exports.markCancelled(tenantId, exportId, clock());
        log.info('export cancelled');
        return undefined;
      }
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      log.warn({ err: error, attempt: job.attemptsMade + 1, lastAttempt }, 'export attempt failed');
      if (lastAttempt && (await deps.exports.fail(tenantId, exportId, 'The export could not be completed', clock()))) {
        await announceExportOutcome(deps, queued, 'failed', 0, (error as Error).message);
      }
      throw error;
    } finally {
      await deps.slots.release(tenantId, exportId);
    }
  };
}
