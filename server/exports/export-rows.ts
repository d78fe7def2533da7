import type { EventDocument, EventRepository } from '../events';
import type { ExportAttempt } from './export-attempt';
import type { ExportFileWriter } from './export-file-writer';
import type { ExportDocument } from './export.model';

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
  const snapshot = await deps.events.snapshot(record.tenantId, record.filters, record.requestedAt, { signal: attempt.signal, batchSize: deps.batchSize });
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
