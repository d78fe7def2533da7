import type { Logger } from 'pino';
import { RETENTION_JOB, type ExportQueue } from './export.job';
import type { ExportRepository } from './export.repository';
import { fairExportPriority } from './export-slots';

export interface ExportReconcilerDeps {
  exports: ExportRepository;
  queue: ExportQueue;
  retentionEveryMs: number;
  /** A running export whose attempt saved no heartbeat for this long, and has no job, is queued again. */
  staleRunningMs: number;
  logger: Pick<Logger, 'info' | 'warn'>;
  clock: () => Date;
}

/**
 * Makes Redis agree with MongoDB again: Redis may lose everything (a restart without persistence),
 * MongoDB holds the truth. Every unfinished export gets its job back (job id = export id, so a job
 * that still exists is left as it is), and the hourly retention scheduler is re-created if missing.
 * Idempotent: every worker runs it at start and then periodically.
 */
export async function reconcileExports(deps: ExportReconcilerDeps): Promise<{ requeued: number; schedulerCreated: boolean }> {
  const schedulerCreated = !(await deps.queue.getJobScheduler(RETENTION_JOB));
  if (schedulerCreated) await deps.queue.upsertJobScheduler(RETENTION_JOB, { every: deps.retentionEveryMs }, { name: RETENTION_JOB });

  const now = deps.clock().getTime();
  const positionInTenant = new Map<string, number>();
  let requeued = 0;
  for (const record of await deps.exports.findUnfinishedAcrossTenants(1_000)) {
    const position = positionInTenant.get(record.tenantId) ?? 0;
    positionInTenant.set(record.tenantId, position + 1);
    const exportId = record._id.toHexString();
    if (await deps.queue.getJob(exportId)) continue;
    // Running with a fresh heartbeat: an attempt is still writing it (its lock went with Redis).
    const heartbeat = (record.heartbeatAt ?? record.startedAt ?? record.requestedAt).getTime();
    if (record.status === 'running' && now - heartbeat < deps.staleRunningMs) continue;
    await deps.queue.add('export', { exportId, tenantId: record.tenantId }, { jobId: exportId, priority: fairExportPriority(position) });
    requeued++;
  }
  if (requeued > 0 || schedulerCreated) deps.logger.warn({ requeued, schedulerCreated }, 'export queue reconciled: jobs or the retention scheduler were missing from Redis');
  return { requeued, schedulerCreated };
}

/** Runs `reconcileExports` now and every `everyMs` until stopped; a failed round is logged and retried next time. */
export function startExportReconciler(deps: ExportReconcilerDeps, everyMs: number): { stop(): Promise<void> } {
  let round: Promise<unknown> = Promise.resolve();
  const run = () => {
    round = round.then(() => reconcileExports(deps)).catch((error: unknown) => deps.logger.warn({ err: error }, 'export reconciliation failed; retrying later'));
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await round;
    },
  };
}
