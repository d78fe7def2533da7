import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { countsAreCheap, detectServerKind } from '../server/db/server-kind';
import type { Services } from '../server/services';
import { EXPORT_QUEUE, RETENTION_JOB } from '../server/exports/export-queue';
import type { TExportJobPayload } from '../server/exports/export.schema';
import { createExportProcessor } from './export.processor';
import { removeExpiredExports } from './retention';

export interface ExportWorkerOptions {
  services: Services;
  connection: ConnectionOptions;
  prefix: string;
  logger: Logger;
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
  const { services, logger } = options;
  const processExport = createExportProcessor({
    exports: services.exports.repository,
    exportService: services.exports.service,
    events: services.events,
    storage: services.exports.storage,
    slots: services.exports.slots,
    notifications: services.notifications.service,
    audit: services.audit,
    logger,
    progressIntervalMs: options.progressIntervalMs,
    countTotal: options.countTotal ?? countsAreCheap(await detectServerKind(services.events.db)),
  });

  const worker = new Worker<TExportJobPayload>(
    EXPORT_QUEUE,
    async (job: Job, token?: string) => {
      if (job.name === RETENTION_JOB) return removeExpiredExports(services, logger);
      return processExport(job as Job<TExportJobPayload>, token);
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 2,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 2,
    },
  );
  worker.on('error', (error) => logger.error({ err: error }, 'export worker error'));
  worker.on('failed', (job, error) => logger.warn({ err: error, jobId: job?.id, attempts: job?.attemptsMade }, 'export job failed'));
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'export job stalled; it will be picked up again'));

  await services.exports.queue.upsertJobScheduler(RETENTION_JOB, { every: options.retentionEveryMs ?? 60 * 60 * 1000 }, { name: RETENTION_JOB });
  return worker;
}
