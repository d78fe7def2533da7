import type { ConnectionOptions, Job, Worker } from 'bullmq';
import type { Logger } from 'pino';
import { countsAreCheap, detectServerKind } from '../db/server-kind';
import type { HostDatabase } from '../db/host-database';
import { bullmq, EXPORT_QUEUE, RETENTION_JOB, type ExportQueue, createExportJob, type ExportJobDeps, type ExportJobHooks } from './export.job';
import type { TExportJobPayload } from './export.schema';
import { removeExpiredExports, type RetentionDeps } from './retention';
import { startExportReconciler } from './export-reconciler';

/**
 * A SIGKILLed worker's export is taken over once its lock has expired (at most `lockDurationMs`
 * after its last renewal; BullMQ renews every half of it) and the next stalled check has run (every
 * `stalledIntervalMs`): at most their sum. 30 s + 30 s (BullMQ's defaults) measured 43–64 s;
 * 10 s + 5 s measured in bench/export-takeover.bench.ts (see docs/OPERATIONS.md). A worker whose
 * event loop stalls longer than the lock loses its job to another worker: the export is still
 * finished once (completion is a conditional update; the losing attempt removes its file).
 */
export const EXPORT_WORKER_DEFAULTS = { lockDurationMs: 10_000, stalledIntervalMs: 5_000 } as const;

export interface ExportWorkerOptions {
  concurrency?: number;
  /** A job whose worker stops renewing its lock for this long is handed to another worker. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  progressIntervalMs?: number;
  retentionEveryMs?: number;
  /** How often unfinished exports are checked for a lost job, and the retention scheduler for its presence (Redis may have restarted empty). */
  reconcileEveryMs?: number;
  /** Count each export's rows for its progress total; default: only where counts are cheap (MongoDB, not FerretDB). */
  countTotal?: boolean;
  logger?: Logger;
  hooks?: ExportJobHooks;
}

export interface ExportWorkerDeps {
  job: ExportJobDeps;
  retention: RetentionDeps;
  queue: ExportQueue;
  db: HostDatabase;
  /** BullMQ duplicates it for its blocking reads; `maxRetriesPerRequest: null`. */
  connection: ConnectionOptions;
  prefix: string;
}

/** One BullMQ worker for export jobs and the retention sweep. Close it on SIGTERM/SIGINT. */
export async function startExportWorker(deps: ExportWorkerDeps, options: ExportWorkerOptions = {}): Promise<Worker> {
  const logger = options.logger ?? deps.job.logger;
  const countTotal = options.countTotal ?? countsAreCheap(await detectServerKind(await deps.db.opened()));
  const runExportJob = createExportJob({ ...deps.job, logger, progressIntervalMs: options.progressIntervalMs, countTotal, hooks: options.hooks });

  const lockDuration = options.lockDurationMs ?? EXPORT_WORKER_DEFAULTS.lockDurationMs;
  const worker = new (bullmq().Worker)<TExportJobPayload>(
    EXPORT_QUEUE,
    async (job: Job, token?: string) => {
      if (job.name === RETENTION_JOB) return removeExpiredExports(deps.retention, logger);
      return runExportJob(job as Job<TExportJobPayload>, token);
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: options.concurrency ?? 2,
      lockDuration,
      stalledInterval: options.stalledIntervalMs ?? EXPORT_WORKER_DEFAULTS.stalledIntervalMs,
      maxStalledCount: 2,
    },
  );
  worker.on('error', (error) => logger.error({ err: error }, 'export worker error'));
  worker.on('failed', (job, error) => logger.warn({ err: error, jobId: job?.id, attempts: job?.attemptsMade }, 'export job failed'));
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'export job stalled; it will be picked up again'));

  const retentionEveryMs = options.retentionEveryMs ?? 60 * 60 * 1000;
  // At every start, so a changed interval takes effect; afterwards the reconciler re-creates it if Redis lost it.
  await deps.queue.upsertJobScheduler(RETENTION_JOB, { every: retentionEveryMs }, { name: RETENTION_JOB });
  const reconciler = startExportReconciler(
    { exports: deps.job.exports, queue: deps.queue, retentionEveryMs, staleRunningMs: 30_000, logger, clock: deps.job.clock ?? (() => new Date()) },
    options.reconcileEveryMs ?? 20_000,
  );
  worker.once('closing', () => void reconciler.stop());
  return worker;
}
