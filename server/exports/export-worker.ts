import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { AUDIT_EVENTS_COLLECTION } from '../events/event.model';
import { countsAreCheap, detectServerKind } from '../db/server-kind';
import type { AuditServices } from '../services';
import { EXPORT_QUEUE, RETENTION_JOB } from './export-queue';
import type { TExportJobPayload } from './export.schema';
import { createExportProcessor } from './export.processor';
import { removeExpiredExports } from './retention';

export interface ExportWorkerOptions {
  services: AuditServices;
  /** Default: the services' Redis client (BullMQ duplicates it for its blocking reads). */
  connection?: ConnectionOptions;
  logger?: Logger;
  concurrency?: number;
  /** A job whose worker stops renewing its lock for this long is handed to another worker. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  progressIntervalMs?: number;
  retentionEveryMs?: number;
  /** Count each export's rows for its progress total; default: only where counts are cheap (MongoDB, not FerretDB). */
  countTotal?: boolean;
}

/** One BullMQ worker for export jobs and the retention sweep. Close it on SIGTERM/SIGINT. */
export async function startExportWorker(options: ExportWorkerOptions): Promise<Worker> {
  const { services } = options;
  const logger = options.logger ?? services.logger;
  const connected = services.connected;
  if (!connected) throw new Error('crm-audit-log: the export worker needs Redis (createAuditLog({ redis }))');
  const db = await services.db.opened();
  const processExport = createExportProcessor({
    exports: connected.exports.repository,
    exportService: connected.exports.service,
    events: await services.db.collection(AUDIT_EVENTS_COLLECTION),
    storage: connected.exports.storage,
    slots: connected.exports.slots,
    notifications: connected.notifications.service,
    record: services.events.recorder.record,
    catalog: services.catalog,
    logger,
    progressIntervalMs: options.progressIntervalMs,
    countTotal: options.countTotal ?? countsAreCheap(await detectServerKind(db)),
  });

  const worker = new Worker<TExportJobPayload>(
    EXPORT_QUEUE,
    async (job: Job, token?: string) => {
      if (job.name === RETENTION_JOB) return removeExpiredExports(connected, logger);
      return processExport(job as Job<TExportJobPayload>, token);
    },
    {
      connection: options.connection ?? connected.redis.client,
      prefix: connected.redis.prefix,
      concurrency: options.concurrency ?? 2,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 2,
    },
  );
  worker.on('error', (error) => logger.error({ err: error }, 'export worker error'));
  worker.on('failed', (job, error) => logger.warn({ err: error, jobId: job?.id, attempts: job?.attemptsMade }, 'export job failed'));
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'export job stalled; it will be picked up again'));

  await connected.exports.queue.upsertJobScheduler(RETENTION_JOB, { every: options.retentionEveryMs ?? 60 * 60 * 1000 }, { name: RETENTION_JOB });
  return worker;
}
