import type { Logger } from 'pino';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { AuditLogClosedError, AuditLogOverloadedError } from './recorder.errors';
import type { BatchWriteResult, EventJournal, RecordedDocument, RecorderCounters, SpillStore } from './recorder.ports';

export { TransientWriteError, type BatchWriteResult, type EventJournal, type RecordedDocument, type RecorderCounters, type SpillStore } from './recorder.ports';

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
   * Called with the documents of each write attempt that are now stored (live delivery, the
   * sealer's notes), in write order, once the next batch is on its way to the server (setImmediate):
   * what a listener spends then overlaps the server's insert instead of delaying it. Whatever it
   * throws is logged and ignored.
   */
  onWritten?: (documents: EventDocument[]) => void;
  /**
   * Durable mode: every accepted event is appended to the journal as it is queued, and `durable()`
   * answers when the host may acknowledge its write. Past the memory bound, and after close(),
   * events go to the spill store alone (the write-ahead log: both are the same files).
   */
  journal?: EventJournal<EventDocument>;
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
  private readonly counters = { accepted: 0, written: 0, retried: 0, failed: 0, spilled: 0, overloaded: 0, refusedWrites: 0 };
  private readonly sleep: (ms: number) => Promise<void>;
  /** The last onWritten delivery: flush() resolves once the listeners have heard of what it waited for. */
  private reported: Promise<void> = Promise.resolve();

  constructor(private readonly options: BatchRecorderOptions<EventDocument>) {
    this.sleep = options.sleep ?? defaultSleep;
    if (options.spill) queueMicrotask(() => this.scheduleWrite(false));
  }

  enqueue(document: EventDocument): void {
    const { journal, spill } = this.options;
    if (this.closed && !(journal && spill)) throw new AuditLogClosedError();
    const inMemory = this.queue.length + this.inFlight;
    if (journal && spill && (this.closed || inMemory >= this.options.maxQueuedEvents)) return this.spillDurably(document, spill);
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
    journal?.append([document]);
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
   * including events spilled to the spill store, and onWritten has been told of those written.
   */
  async flush(): Promise<void> {
    const target = this.enqueuedToMain;
    if (!this.isSettled(target)) {
      const settled = new Promise<void>((done) => this.settledWaiters.push({ target, done }));
      this.scheduleWrite(true);
      await settled;
    }
    await this.reported;
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

  /**
   * Durable mode: resolves once every event accepted before the call is in the journal on disk (or
   * stored); undefined when nothing is waiting. Rejects when that failed or the journal is closed:
   * the host's write must not be acknowledged as audited. Without a journal: undefined.
   */
  durable(): Promise<void> | undefined {
    const journal = this.options.journal;
    if (!journal) return undefined;
    const committed = journal.isClosed() ? Promise.reject(new AuditLogClosedError()) : journal.committed();
    return committed?.catch((error: unknown) => {
      this.counters.refusedWrites++;
      this.options.logger?.error({ err: error }, 'audit: a host write is refused: its event could not be made durable');
      throw error;
    });
  }

  /**
   * Every event held here (memory and spill store) through `transform`; `undefined` drops it.
   * Answers how many changed or were dropped. The batch on its way to MongoDB is left as it is.
   */
  async rewriteBuffered(transform: (document: EventDocument) => EventDocument | undefined): Promise<number> {
    let changed = 0;
    const rewriteList = (list: EventDocument[]) =>
      list.flatMap((document) => {
        const next = transform(document);
        if (next !== document) changed++;
        return next === undefined ? [] : [next];
      });
    const queued = this.queue.length;
    this.queue = rewriteList(this.queue);
    // Dropped events count as settled, so flush() still resolves.
    this.settledFromMain += queued - this.queue.length;
    this.spillBuffer = rewriteList(this.spillBuffer);
    this.notifySettled();
    if (!this.options.spill) return changed;
    changed += await this.options.spill.rewrite(transform);
    // The spill store may hold events this process did not spill (another process's Redis spill, a
    // crashed owner's segments the write-ahead log claimed while rewriting): read it back soon.
    this.spillBacklog = true;
    if (!this.closed) this.scheduleWrite(true);
    return changed;
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
        if (result.written > 0) {
          const stored = storedOf(pending, result);
          this.reportWritten(stored);
          this.settleStored(stored);
        }
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

  private settleStored(stored: EventDocument[]): void {
    this.options.spill?.settle?.(stored);
  }

  /** Durable mode past the memory bound (or after close()): straight to the write-ahead log, read back later. */
  private spillDurably(document: EventDocument, spill: SpillStore<EventDocument>): void {
    const pushed = spill.push([document]); // throws once the write-ahead log is closed
    this.counters.accepted++;
    this.counters.spilled++;
    pushed.then(
      () => {
        this.spillBacklog = true;
        if (!this.closed) this.scheduleWrite(true);
      },
      (error: unknown) => this.options.logger?.error({ err: error, eventId: document._id.toHexString() }, 'audit: event not written to the write-ahead log (its host write is refused)'),
    );
    this.spillBacklog = true;
  }

  private reportWritten(written: EventDocument[]): void {
    const onWritten = this.options.onWritten;
    if (!onWritten) return;
    this.reported = new Promise((done) =>
      setImmediate(() => {
        try {
          onWritten(written);
        } catch (error) {
          this.options.logger?.error({ err: error }, 'onWritten listener failed; events are stored regardless');
        }
        done();
      }),
    );
  }

  private async giveUp(rejected: Array<{ document: EventDocument; reason: string }>): Promise<void> {
    this.counters.failed += rejected.length;
    this.options.logger?.error(
      { events: rejected.map(({ document, reason }) => ({ id: document._id.toHexString(), reason })) },
      'audit events refused by the database; kept in the rejected list',
    );
    try {
      await this.options.spill?.keepRejected(rejected);
      this.options.spill?.settle?.(rejected.map(({ document }) => document));
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

/** The documents of an attempt that are now stored: all of them, but those to retry and those refused. */
function storedOf<EventDocument extends RecordedDocument>(attempted: EventDocument[], result: BatchWriteResult<EventDocument>): EventDocument[] {
  if (result.retry.length === 0 && result.rejected.length === 0) return attempted;
  const notWritten = new Set([...result.retry, ...result.rejected.map(({ document }) => document)]);
  return attempted.filter((document) => !notWritten.has(document));
}
