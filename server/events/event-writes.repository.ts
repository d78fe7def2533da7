import type { Collection } from 'mongodb';
import { bulkWriteErrorsOf, DUPLICATE_KEY, insertedCountOf, isServerError, type DriverServerError } from '../db/driver-errors';
import { ensureIndexes } from '../db/ensure-indexes';
import type { HostDatabase } from '../db/host-database';
import { withTimeout } from '../common/with-timeout';
import { TransientWriteError, type BatchWriteResult } from '../recorder';
import type { EventDocument } from './event.document';
import { AUDIT_EVENTS_COLLECTION, EVENT_INDEXES } from './event.model';

/** Server codes that mean "try again later" (not primary, shutting down, timeouts, busy). */
const TRANSIENT_CODES = new Set([6, 7, 89, 91, 112, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

/**
 * The write side of the events slice. Writes go straight to the driver after zod validation:
 * mongoose's document casting would validate every event a second time on the hot path.
 * A batch holds events of many tenants, each carrying its own `tenantId`.
 */
export function createEventWritesRepository(db: HostDatabase, options: { openTimeoutMs?: number } = {}) {
  const openTimeoutMs = options.openTimeoutMs ?? 30_000;
  const collection = () => db.collection<EventDocument>(AUDIT_EVENTS_COLLECTION);

  /** Events recorded before the host connected wait here; past the timeout the batch is retried with backoff (and logged). */
  const openedCollection = (): Promise<Collection<EventDocument>> =>
    withTimeout(collection(), openTimeoutMs, `the host's MongoDB connection did not open within ${openTimeoutMs} ms`);

  return {
    ensureIndexes: async () => ensureIndexes(await collection(), EVENT_INDEXES.map(({ name, key }) => ({ name, key }))),

    async insertBatch(documents: EventDocument[]): Promise<BatchWriteResult<EventDocument>> {
      let events: Collection<EventDocument>;
      try {
        events = await openedCollection();
      } catch (error) {
        throw new TransientWriteError(error);
      }
      try {
        const result = await events.insertMany(documents, { ordered: false });
        return { written: result.insertedCount, rejected: [], retry: [] };
      } catch (error) {
        const outcome = classifyInsertError(error, documents);
        if (outcome === 'transient') throw new TransientWriteError(error);
        return outcome;
      }
    },
  };
}

/**
 * Pure: what a failed unordered `insertMany` achieved. Per-document errors count only when the
 * driver confirms every other document was inserted; otherwise (a dropped connection is also
 * reported as a bulk write error, with no per-document errors) the whole batch is tried again,
 * and the ids make that safe: what was stored already comes back as a duplicate.
 */
export function classifyInsertError(error: unknown, documents: EventDocument[]): BatchWriteResult<EventDocument> | 'transient' {
  const writeErrors = bulkWriteErrorsOf(error);
  if (writeErrors && writeErrors.length > 0) {
    const failedIndexes = new Set(writeErrors.map((writeError) => writeError.index));
    const othersInserted = documents.length - failedIndexes.size;
    if (insertedCountOf(error) !== othersInserted) return 'transient';
    const result: BatchWriteResult<EventDocument> = { written: othersInserted, rejected: [], retry: [] };
    for (const writeError of writeErrors) {
      const document = documents[writeError.index];
      if (!document) continue;
      if (writeError.code === DUPLICATE_KEY) result.written++;
      else if (TRANSIENT_CODES.has(writeError.code)) result.retry.push(document);
      else result.rejected.push({ document, reason: writeError.errmsg ?? `server error ${writeError.code}` });
    }
    return result;
  }
  if (!writeErrors && isServerError(error) && !TRANSIENT_CODES.has(Number(error.code)) && !isRetryableLabel(error)) {
    return { written: 0, rejected: documents.map((document) => ({ document, reason: error.message })), retry: [] };
  }
  return 'transient';
}

function isRetryableLabel(error: DriverServerError): boolean {
  return !!error.hasErrorLabel?.('RetryableWriteError') || !!error.hasErrorLabel?.('TransientTransactionError');
}

export type EventWritesRepository = ReturnType<typeof createEventWritesRepository>;
