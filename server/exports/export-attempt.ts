import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { ExportRepository } from './export.repository';
import type { ExportSlots } from './export-slots';

/**
 * One running attempt's heartbeat. On a timer, not per row: progress is saved about once per
 * interval, the job's lock and the tenant's slot are renewed, and a cancel also lands while the
 * server is still sorting (it aborts `signal`, which aborts the reads).
 */
export interface ExportAttemptDeps {
  exports: ExportRepository;
  slots: ExportSlots;
  job: Job;
  tenantId: string;
  exportId: string;
  intervalMs: number;
  log: Pick<Logger, 'warn'>;
}

export function trackExportAttempt(deps: ExportAttemptDeps) {
  const abort = new AbortController();
  const progress: { rows: number; total: number | null } = { rows: 0, total: null };
  let cancelled = false;
  let ticking = Promise.resolve();
  const { tenantId, exportId } = deps;

  const tick = async () => {
    if (cancelled) return;
    if (await deps.exports.isCancelRequested(tenantId, exportId)) {
      cancelled = true;
      abort.abort();
      return;
    }
    const snapshot = { ...progress };
    await Promise.all([deps.exports.setProgress(tenantId, exportId, snapshot), deps.job.updateProgress(snapshot), deps.slots.renew(tenantId, exportId)]);
  };
  const timer = setInterval(() => {
    ticking = ticking.then(tick).catch((error: unknown) => deps.log.warn({ err: error }, 'could not save export progress'));
  }, deps.intervalMs);

  return {
    progress,
    signal: abort.signal,
    get cancelled() {
      return cancelled;
    },
    /** Stops the timer once its last tick has run. */
    async stop(): Promise<void> {
      clearInterval(timer);
      await ticking;
    },
  };
}

export type ExportAttempt = ReturnType<typeof trackExportAttempt>;
