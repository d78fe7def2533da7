import type { Logger } from 'pino';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { AuditLogClosedError, AuditLogOverloadedError } from './recorder.errors';

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
  rewrite?(transform: (document: EventDocument) => EventDocument | undefined): Promise<number>;
}

export interface BatchRecorderOptions<EventDocument extends RecordedDocument = RecordedDocument> {
  writeBatch(documents: EventDocument[]): Promise<BatchWriteResult<EventDocument>>;
  spill?: SpillStore<EventDocument>;
  batchSize: number;
  flushIntervalMs: number;
  maxQueuedEvents: number;
  backoff?: BackoffPolicy;
  logger?: Pick<Logger, 'warn' | 'error' | 'info'>;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Called with the documents of each write attempt that are now stored (live delivery). It must
   * not block: it runs inside the write loop, and whatever it throws is logged and ignored.
   */
  onWritten?: (documents: EventDocument[]) => void;
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
  /** In memory now, waiting to be written. */
  queued: number;
}

const defaultSleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms).unref());

/**
 * Queues documents and writes them in batches, on size or on time, one batch in flight at a time.
 * A failed batch is retried with backoff until it is written: ids are assigned before the first
 * attempt, so a retry of a batch the server partly stored finds duplicates and counts them as written.
 */
export class BatchRecorder<EventDocument extends RecordedDocument = RecordedDocument> {
  private queue: EventDocument[] = [];
  private spillBuffer: EventDocument[] = [];
  private inFlight = 0;
  private inFlightBatch: EventDocument[] = [];
  private writing = false;
  private spilling = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private dueNow = false;
  private closed = false;
  /** Set when close() gave up waiting and handed everything to the spill store. */
  private abandoned = false;
  private spillBacklog = true; // unknown at start: look once
  /** The main queue is FIFO, so "settled ≥ enqueued at the call" means "all of those are done". */
  private enqueuedToMain = 0;
  private settledFromMain = 0;
  private settledWaiters: Array<{ target: number; done: () => void }> = [];
  private readonly counters = { accepted: 0, written: 0, retried: 0, failed: 0, spilled: 0, overloaded: 0 };
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: BatchRecorderOptions<EventDocument>) {
    this.sleep = options.sleep ?? defaultSleep;
    if (options.spill) queueMicrotask(() => this.scheduleWrite(false));
  }

  enqueue(document: EventDocument): void {
    if (this.closed) throw new AuditLogClosedError();
    const inMemory = this.queue.length + this.inFlight;
    if (inMemory >= this.options.maxQueuedEvents) {
      // Past the bound: spill to Redis while it keeps up; beyond that, tell the host plainly.
      if (!this.options.spill || this.spillBuffer.length >= this.options.maxQueuedEvents) {
        this.counters.overloaded++;
        throw new AuditLogOverloadedError(inMemory + this.spillBuffer.length);
      }
      this.counters.accepted++;
      this.spillBuffer.push(document);
      void this.drainSpillBuffer();
      return;
    }
    this.counters.accepted++;
    this.enqueuedToMain++;
    this.queue.push(document);
    if (this.queue.length >= this.options.batchSize) this.scheduleWrite(false);
    else if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.scheduleWrite(true);
      }, this.options.flushIntervalMs);
      this.flushTimer.unref();
    }
  }

  /**
   * Resolves once every event accepted before the call has been written (or refused for good),
   * including events spilled to the spill store.
   */
  async flush(): Promise<void> {
    const target = this.enqueuedToMain;
    if (this.isSettled(target)) return;
    const settled = new Promise<void>((done) => this.settledWaiters.push({ target, done }));
    this.scheduleWrite(true);
    await settled;
  }

  /**
   * Stops accepting and drains everything to MongoDB. If MongoDB is still unreachable after
   * `timeoutMs`, whatever is left moves to the spill store (a later process writes it) and the
   * promise resolves; without a spill store it rejects, naming how many events were not written.
   */
  async close({ timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<void> {
    this.closed = true;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), timeoutMs)));
    const outcome = await Promise.race([this.flush().then(() => 'flushed' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'flushed') return;
    const left = [...this.queue, ...this.inFlightBatch, ...this.spillBuffer];
    if (!this.options.spill) throw new Error(`audit log closed with ${left.length} events not written: MongoDB unreachable for ${timeoutMs} ms`);
    // The in-flight batch may also land before it stops: same ids, so one copy becomes a no-op duplicate.
    this.abandoned = true;
    await this.options.spill.push(left);
    this.counters.spilled += left.length;
    this.queue = [];
    this.spillBuffer = [];
  }

  metrics(): RecorderCounters {
    return { ...this.counters, queued: this.queue.length + this.inFlight + this.spillBuffer.length };
  }

  private isSettled(target: number): boolean {
    return this.settledFromMain >= target && this.spillBuffer.length === 0 && (!this.spillBacklog || !this.options.spill);
  }

  private scheduleWrite(due: boolean): void {
    if (due) this.dueNow = true;
    if (this.writing) return;
    this.writing = true;
    void this.writeLoop().finally(() => {
      this.writing = false;
      if (this.queue.length >= this.options.batchSize || (this.dueNow && this.queue.length > 0)) this.scheduleWrite(false);
    });
  }

  private async writeLoop(): Promise<void> {
    while (!this.abandoned) {
      if (this.queue.length === 0 && this.spillBacklog) await this.recoverFromSpill();
      const full = this.queue.length >= this.options.batchSize;
      if (this.queue.length === 0 || (!full && !this.dueNow)) break;
      if (!full) this.dueNow = false;
      const batch = this.queue.splice(0, this.options.batchSize);
      this.inFlightBatch = batch;
      this.inFlight = batch.length;
      await this.writeUntilSettled(batch);
      this.inFlight = 0;
      this.inFlightBatch = [];
      this.settledFromMain += batch.length;
      this.notifySettled();
    }
    if (this.queue.length === 0) this.dueNow = false;
    this.notifySettled();
  }

  private async writeUntilSettled(batch: EventDocument[]): Promise<void> {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      try {
        const result = await this.options.writeBatch(pending);
        this.counters.written += result.written;
        this.reportWritten(pending, result);
        if (result.rejected.length > 0) await this.giveUp(result.rejected);
        pending = result.retry;
      } catch (error) {
        this.options.logger?.warn({ err: error, events: pending.length, attempt }, 'audit batch write failed; retrying');
      }
      if (pending.length === 0 || this.abandoned) return;
      this.counters.retried += pending.length;
      await this.sleep(backoffDelayMs(attempt, this.options.backoff ?? DEFAULT_BACKOFF));
    }
  }

  private reportWritten(attempted: EventDocument[], result: BatchWriteResult<EventDocument>): void {
    const onWritten = this.options.onWritten;
    if (!onWritten || result.written === 0) return;
    const notWritten = new Set([...result.retry, ...result.rejected.map(({ document }) => document)]);
    try {
      onWritten(notWritten.size === 0 ? attempted : attempted.filter((document) => !notWritten.has(document)));
    } catch (error) {
      this.options.logger?.error({ err: error }, 'onWritten listener failed; events are stored regardless');
    }
  }

  private async giveUp(rejected: Array<{ document: EventDocument; reason: string }>): Promise<void> {
    this.counters.failed += rejected.length;
    this.options.logger?.error(
      { events: rejected.map(({ document, reason }) => ({ id: document._id.toHexString(), reason })) },
      'audit events refused by the database; kept in the rejected list',
    );
    try {
      await this.options.spill?.keepRejected(rejected);
    } catch (error) {
      this.options.logger?.error({ err: error }, 'could not keep refused audit events in the spill store');
    }
  }

  /** Pulls spilled events back once memory has room; they keep their ids, so none is written twice. */
  private async recoverFromSpill(): Promise<void> {
    const spill = this.options.spill;
    if (!spill) return void (this.spillBacklog = false);
    try {
      const documents = await spill.pop(this.options.batchSize);
      if (documents.length === 0) {
        this.spillBacklog = this.spillBuffer.length > 0;
        return;
      }
      this.enqueuedToMain += documents.length;
      this.queue.push(...documents);
      this.dueNow = true;
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'could not read the audit spill store; trying again shortly');
      setTimeout(() => this.scheduleWrite(true), 1_000).unref();
    }
  }

  private async drainSpillBuffer(): Promise<void> {
    if (this.spilling || !this.options.spill) return;
    this.spilling = true;
    try {
      for (let attempt = 1; this.spillBuffer.length > 0; ) {
        const chunk = this.spillBuffer.slice(0, this.options.batchSize);
        try {
          await this.options.spill.push(chunk);
          this.spillBuffer.splice(0, chunk.length);
          // Out of this process's memory: from here on they come back like any spill backlog.
          this.counters.spilled += chunk.length;
          this.spillBacklog = true;
          attempt = 1;
        } catch (error) {
          this.options.logger?.warn({ err: error, events: chunk.length }, 'audit spill store unavailable; retrying');
          await this.sleep(backoffDelayMs(attempt++, this.options.backoff ?? DEFAULT_BACKOFF));
        }
      }
    } finally {
      this.spilling = false;
    }
    this.scheduleWrite(true);
  }

  private notifySettled(): void {
    this.settledWaiters = this.settledWaiters.filter(({ target, done }) => (this.isSettled(target) ? (done(), false) : true));
  }
}
