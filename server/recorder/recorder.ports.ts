/** The ports the batch recorder works through: the batch writer (events slice), the spill store and the journal (write-ahead log). */

/** Thrown by a batch writer when the database is unreachable or busy: the batch is retried. */
export class TransientWriteError extends Error {
  constructor(override readonly cause: unknown) {
    super(`transient write failure: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'TransientWriteError';
  }
}

/**
 * The port the recorder writes through (the events slice implements it: event-writes.repository.ts).
 * Documents are opaque to the recorder but for their id, assigned before the first attempt.
 */
export interface RecordedDocument {
  _id: { toHexString(): string };
}

/** What one batch write achieved. Transient failures are thrown (TransientWriteError) instead. */
export interface BatchWriteResult<EventDocument extends RecordedDocument = RecordedDocument> {
  /** Inserted now, or found already stored (a duplicate id from an earlier, interrupted attempt). */
  written: number;
  /** Documents the server refused for a reason that will not go away by retrying. */
  rejected: Array<{ document: EventDocument; reason: string }>;
  /** Documents that hit a transient per-document error and must be tried again. */
  retry: EventDocument[];
}

/** Where events go when the in-memory bound is reached, and where refused ones are kept. */
export interface SpillStore<EventDocument extends RecordedDocument = RecordedDocument> {
  push(documents: EventDocument[]): Promise<void>;
  pop(count: number): Promise<EventDocument[]>;
  length(): Promise<number>;
  keepRejected(entries: Array<{ document: EventDocument; reason: string }>): Promise<void>;
  /**
   * Rewrites every stored entry (spilled and refused events) through `transform`; `undefined`
   * drops the entry. Answers how many entries changed or were dropped (erasure scrubs a data
   * subject's values with it).
   */
  rewrite(transform: (document: EventDocument) => EventDocument | undefined): Promise<number>;
  /** Events now stored in MongoDB or kept as refused: a store that also holds them may forget them. */
  settle?(documents: EventDocument[]): void;
  /** Writes what is pending and lets go of files or connections it opened. */
  close?(): Promise<void>;
}

/**
 * Durable mode: every accepted event is appended here as it is queued (the write-ahead log's
 * journal), and `committed()` resolves once everything appended before the call is on disk.
 */
export interface EventJournal<EventDocument extends RecordedDocument = RecordedDocument> {
  append(documents: EventDocument[]): void;
  /** Undefined when nothing is waiting for the disk; rejects when the append could not be written. */
  committed(): Promise<void> | undefined;
  isClosed(): boolean;
}

export interface RecorderCounters {
  /** Accepted by record() since start. */
  accepted: number;
  /** Stored in MongoDB exactly once. */
  written: number;
  /** Events in a write attempt that failed and was tried again. */
  retried: number;
  /** Refused by the server for good; kept in the spill store's rejected list and logged. */
  failed: number;
  /** Moved to the spill store because the in-memory bound was reached. */
  spilled: number;
  /** record() calls refused with AuditLogOverloadedError. */
  overloaded: number;
  /** Durable mode: host writes rejected because their event could not be made durable (disk, or after close). */
  refusedWrites: number;
  /** In memory now, waiting to be written. */
  queued: number;
}

