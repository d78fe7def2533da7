/**
 * Which operations of a bulkWrite took effect, read from what mongoose hands the post hooks: the
 * result, or the error of a bulkWrite that failed in part. Pure: unit-tested without a database.
 */
export const OPERATION_KINDS = ['insertOne', 'updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number] | 'unknown';

export function operationKind(operation: unknown): Exclude<OperationKind, 'unknown'> | undefined {
  if (!operation || typeof operation !== 'object') return undefined;
  return OPERATION_KINDS.find((kind) => kind in operation);
}

export interface BulkWriteOutcome {
  /** The write failed and nothing tells which operations were applied (a network error, a write concern error). */
  unknown: boolean;
  insertedIds: string[];
  /** Operation index → id of the record an upsert inserted, as the driver reports it. */
  upsertedIds: Record<string, unknown>;
  succeeded(index: number, ordered: boolean): boolean;
}

interface ResultLike {
  insertedIds?: Record<string, unknown>;
  upsertedIds?: Record<string, unknown>;
  /** Set by mongoose when some operations failed validation: per operation, its error or null. */
  mongoose?: { results?: unknown[] };
}
interface ErrorLike extends ResultLike {
  result?: ResultLike;
  writeErrors?: Array<{ index?: number }> | { index?: number };
}

export function bulkWriteOutcome(result: unknown, error: unknown): BulkWriteOutcome {
  const failure = error as ErrorLike | undefined;
  const counts = ((failure ? failure.result : result) ?? {}) as ResultLike;
  const perOperation = (failure ?? (result as ResultLike | undefined))?.mongoose?.results;
  const base = {
    insertedIds: Object.values(counts.insertedIds ?? {}).map(String),
    upsertedIds: counts.upsertedIds ?? {},
  };
  if (Array.isArray(perOperation)) return { ...base, unknown: false, succeeded: (index) => perOperation[index] == null };
  if (!failure) return { ...base, unknown: false, succeeded: () => true };
  const writeErrors = [failure.writeErrors ?? []].flat();
  const failedIndexes = new Set(writeErrors.map((writeError) => writeError.index).filter((index): index is number => typeof index === 'number'));
  if (failedIndexes.size === 0) return { ...base, unknown: true, succeeded: () => false };
  const firstFailure = Math.min(...failedIndexes);
  // Ordered: the server stops at the first error; unordered: it runs every other operation.
  return { ...base, unknown: false, succeeded: (index, ordered) => (ordered ? index < firstFailure : !failedIndexes.has(index)) };
}

/**
 * Pairs the upserted ids with the upsert operations that matched nothing. MongoDB keys them by
 * operation index; FerretDB v1 numbers them otherwise, so when the keys do not name such
 * operations, ids and operations are paired in order.
 */
export function upsertedIdsByOperation(operations: readonly unknown[], matchedNothing: (index: number) => boolean, upsertedIds: Record<string, unknown>): Map<number, unknown> {
  const keys = Object.keys(upsertedIds).map(Number).filter(Number.isInteger).sort((left, right) => left - right);
  const candidates = operations.flatMap((operation, index) => (isUpsert(operation) && matchedNothing(index) ? [index] : []));
  const paired = new Map<number, unknown>();
  if (keys.every((key) => candidates.includes(key))) {
    for (const key of keys) paired.set(key, upsertedIds[key]);
    return paired;
  }
  keys.slice(0, candidates.length).forEach((key, position) => paired.set(candidates[position]!, upsertedIds[key]));
  return paired;
}

function isUpsert(operation: unknown): boolean {
  const kind = operationKind(operation);
  if (kind !== 'updateOne' && kind !== 'updateMany' && kind !== 'replaceOne') return false;
  return (operation as Record<string, { upsert?: unknown }>)[kind]?.upsert === true;
}
