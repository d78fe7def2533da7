import { MongoBulkWriteError, MongoServerError, type Collection } from 'mongodb';
import type { Connection } from 'mongoose';
import { TransientWriteError } from '../recorder/recorder.errors';
import type { BatchWriteResult } from '../recorder/batch-recorder';
import type { EventDocument } from './event.document';
import { EVENT_INDEXES, getEventModel } from './event.model';

const DUPLICATE_KEY = 11000;
/** Server codes that mean "try again later" (not primary, shutting down, timeouts, busy). */
const TRANSIENT_CODES = new Set([6, 7, 89, 91, 112, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

/**
 * The write side of the events slice. Writes go straight to the driver after zod validation:
 * mongoose's document casting would validate every event a second time on the hot path.
 * A batch holds events of many tenants, each carrying its own `tenantId`.
 */
export function createEventWritesRepository(connection: Connection) {
  const collection = (): Collection<EventDocument> => getEventModel(connection).collection as unknown as Collection<EventDocument>;

  return {
    async ensureIndexes(): Promise<void> {
      await collection().createIndexes(EVENT_INDEXES.map(({ name, key }) => ({ name, key })));
    },

    async insertBatch(documents: EventDocument[]): Promise<BatchWriteResult> {
      try {
        const result = await collection().insertMany(documents, { ordered: false });
        return { written: result.insertedCount, rejected: [], retry: [] };
      } catch (error) {
        if (error instanceof MongoBulkWriteError && error.writeErrors) return classifyWriteErrors(error, documents);
        if (error instanceof MongoServerError && !TRANSIENT_CODES.has(Number(error.code)) && !isRetryableLabel(error)) {
          return { written: 0, rejected: documents.map((document) => ({ document, reason: error.message })), retry: [] };
        }
        throw new TransientWriteError(error);
      }
    },
  };
}

function isRetryableLabel(error: MongoServerError): boolean {
  return error.hasErrorLabel('RetryableWriteError') || error.hasErrorLabel('TransientTransactionError');
}

function classifyWriteErrors(error: MongoBulkWriteError, documents: EventDocument[]): BatchWriteResult {
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  const failedIndexes = new Set(writeErrors.map((writeError) => writeError.index));
  const result: BatchWriteResult = { written: documents.length - failedIndexes.size, rejected: [], retry: [] };
  for (const writeError of writeErrors) {
    const document = documents[writeError.index];
    if (!document) continue;
    if (writeError.code === DUPLICATE_KEY) result.written++;
    else if (TRANSIENT_CODES.has(writeError.code)) result.retry.push(document);
    else result.rejected.push({ document, reason: writeError.errmsg ?? `server error ${writeError.code}` });
  }
  return result;
}

export type EventWritesRepository = ReturnType<typeof createEventWritesRepository>;
