import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { ExportRepository } from './export.repository';
import type { ExportSlots } from './export-slots';
import type { EventDocument, EventRepository } from '../events';
import type { ExportFileWriter } from './export-file-writer';
import type { ExportDocument } from './export.model';

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

export interface ExportAttempt {
  /** Rows written so far, and the total once counted. */
  readonly progress: { rows: number; total: number | null };
  /** Aborted when the export is cancelled. */
  readonly signal: AbortSignal;
  readonly cancelled: boolean;
  /** Stops the timer once its last tick has run. */
  stop(): Promise<void>;
}

export function trackExportAttempt(deps: ExportAttemptDeps): ExportAttempt {
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
    await Promise.all([deps.exports.setProgress(tenantId, exportId, snapshot, new Date()), deps.job.updateProgress(snapshot), deps.slots.renew(tenantId, exportId)]);
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
    async stop(): Promise<void> {
      clearInterval(timer);
      await ticking;
    },
  };
}


export class ExportCancelled extends Error {}

/**
 * Streams the export's snapshot of events into the file writer, waiting whenever the output is
 * backed up, so memory stays flat. Returns the number of rows; throws ExportCancelled when the
 * attempt was cancelled meanwhile.
 */
export async function writeExportRows(
  record: ExportDocument,
  writer: ExportFileWriter,
  deps: { events: EventRepository; attempt: ExportAttempt; countTotal: boolean; batchSize: number },
): Promise<number> {
  const { attempt } = deps;
  const snapshot = await deps.events.snapshot(record.tenantId, record.filters, record.requestedAt, { signal: attempt.signal, batchSize: deps.batchSize, viewerId: record.requester.id });
  // The total for progress is counted once the first rows are in, so it never competes with a
  // server that sorts before answering; once the stream has ended the rows are the total, so an
  // unfinished count is abandoned.
  const countAbort = new AbortController();
  attempt.signal.addEventListener('abort', () => countAbort.abort());
  let counting = false;
  try {
    for await (const event of snapshot.cursor as AsyncIterable<EventDocument>) {
      if (!counting && deps.countTotal) {
        counting = true;
        snapshot.count(countAbort.signal).then((total) => (attempt.progress.total = total), () => undefined);
      }
      const backedUp = writer.writeRow(event);
      if (backedUp) await backedUp;
      attempt.progress.rows++;
    }
  } catch (error) {
    if (!attempt.cancelled) throw error;
  } finally {
    countAbort.abort();
    // A tick still running may yet find a cancel: decide only once it is done.
    await attempt.stop();
    await snapshot.cursor.close().catch(() => undefined);
  }
  if (attempt.cancelled) throw new ExportCancelled();
  return attempt.progress.rows;
}
