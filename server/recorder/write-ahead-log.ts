import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { BSON } from 'mongodb';
import type { Logger } from 'pino';
import type { EventJournal, RecordedDocument, SpillStore } from './batch-recorder';
import { AuditLogClosedError } from './recorder.errors';
import { namespaceDirectory, SEGMENT_SUFFIX, WalDirectory } from './wal-directory';
import { encodeLine, GroupCommitter, isDone, removeSegmentFile, newSegment, readSegmentLines, replaceSegment, type Segment } from './wal-segments';

export interface WriteAheadLogOptions {
  /** Root directory; each namespace (database) gets a folder, each audit log an owner folder in it. */
  directory: string;
  /** The database the events belong to, known once the connection has opened. */
  namespace: () => Promise<string>;
  /** The host driver's BSON (server/db/host-database.ts), so ids and dates come back as its types. */
  bson: typeof BSON;
  logger?: Pick<Logger, 'warn' | 'error' | 'info'>;
  /** A segment is sealed past this size (default 8 MB) and deleted once all its events are stored. */
  maxSegmentBytes?: number;
}

type StreamKind = 'journal' | 'spill';
/** An empty journal segment is sealed (and so deleted) once it has grown past this. */
const ROTATE_EMPTY_JOURNAL_BYTES = 1 << 20;

/**
 * The recorder's durable tier: append-only segment files on local disk, group-committed (one write
 * and one fdatasync per segment per group). Two streams: the journal (durable mode: every accepted
 * event, still in memory too) and the spill (events past the memory bound, read back later). A
 * segment is deleted once every event in it is stored in MongoDB; a crashed owner's segments are
 * replayed by the next audit log on the same directory, and event ids (MongoDB `_id`) make a replay
 * of events already stored a no-op.
 */
export class WriteAheadLog<EventDocument extends RecordedDocument> implements SpillStore<EventDocument>, EventJournal<EventDocument> {
  private directory: WalDirectory | undefined;
  private opening: Promise<void> | undefined;
  private isOpen = false;
  private failure: unknown;
  private closed = false;
  private early: Array<{ kind: StreamKind; documents: EventDocument[]; done: (value: Promise<void>) => void }> = [];
  private earlyCommitted: Promise<void> | undefined;
  private readonly settledEarly = new Set<string>();
  private readonly current: Partial<Record<StreamKind, Segment>> = {};
  private readonly segments = new Set<Segment>();
  private readonly removals = new Set<Promise<void>>();
  /** Segments whose events are not in memory, in the order they are read back. */
  private readonly backlog: Segment[] = [];
  private loaded: { segment: Segment; documents: EventDocument[] } | undefined;
  private readonly located = new Map<string, Segment>();
  private readonly committer = new GroupCommitter((segment) => void this.release(segment));
  private sequence = 0;
  readonly counters = { tornLines: 0, claimedSegments: 0 };

  constructor(private readonly options: WriteAheadLogOptions) {}

  /** Opens the owner directory and claims a crashed owner's segments (once; later calls wait for it). */
  open(): Promise<void> {
    this.opening ??= this.openNow().catch((error: unknown) => {
      // An unwritable directory: appends fail loudly (durable mode: the host's writes reject) rather than wait.
      this.failure = error;
      this.options.logger?.error({ err: error, directory: this.options.directory }, 'audit write-ahead log could not open: events past the memory bound are refused and, in durable mode, host writes reject');
      for (const entry of this.early.splice(0)) entry.done(Promise.reject(error));
      throw error;
    });
    return this.opening;
  }

  append(documents: EventDocument[]): void {
    // A failure reaches the host through committed(); nobody awaits this promise.
    this.appendTo('journal', documents).catch(() => undefined);
  }

  committed(): Promise<void> | undefined {
    if (this.closed) return Promise.reject(new AuditLogClosedError());
    if (this.failure) return Promise.reject(this.failure);
    return this.isOpen ? this.committer.committed() : this.earlyCommitted;
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** Resolves once the events are on disk (the spill tier: they leave memory). */
  push(documents: EventDocument[]): Promise<void> {
    return this.appendTo('spill', documents.filter((document) => !this.located.has(document._id.toHexString())));
  }

  async pop(count: number): Promise<EventDocument[]> {
    if (!(await this.open().then(() => true, () => false))) return []; // nothing on disk to read back

    for (;;) {
      if (this.loaded && this.loaded.documents.length > 0) return this.loaded.documents.splice(0, count);
      this.loaded = undefined;
      const next = this.backlog[0];
      if (!next) return [];
      this.seal(next);
      await this.committer.idle();
      this.backlog.shift();
      this.loaded = { segment: next, documents: await this.load(next) };
      await this.release(next);
    }
  }

  async length(): Promise<number> {
    let total = this.loaded?.documents.length ?? 0;
    for (const segment of this.backlog) total += segment.counted ? segment.outstanding : (await readSegmentLines(segment.path)).lines.length;
    return total;
  }

  /** Events stored in MongoDB (or kept as refused): their segments may go. */
  settle(documents: EventDocument[]): void {
    for (const document of documents) {
      const id = document._id.toHexString();
      if (!this.isOpen) this.settledEarly.add(id);
      const segment = this.located.get(id);
      if (!segment) continue;
      this.located.delete(id);
      segment.outstanding--;
      if (segment === this.current.journal && segment.outstanding === 0 && segment.bytes > ROTATE_EMPTY_JOURNAL_BYTES) this.seal(segment);
      void this.release(segment);
    }
  }

  async keepRejected(entries: Array<{ document: EventDocument; reason: string }>): Promise<void> {
    if (entries.length === 0) return;
    await this.open();
    const handle = await open(this.rejectedPath(), 'a');
    try {
      await handle.write(entries.map((entry) => `${this.encode(entry)}\n`).join(''));
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  /**
   * Every stored entry (journal, spill, claimed segments, refused events) through `transform`, the
   * segments of owners gone since open() included (claimed first); `undefined` drops the event. Answers how many entries changed or were dropped. Appends made
   * meanwhile go to new segments (they were accepted after the call).
   */
  async rewrite(transform: (document: EventDocument) => EventDocument | undefined): Promise<number> {
    await this.open();
    // A process on this disk that crashed since we opened left its segments in its own directory:
    // claimed now, they are rewritten too (an erasure must reach them before they are replayed).
    await this.claimStaleSegments();
    for (const kind of ['journal', 'spill'] as const) if (this.current[kind]) this.seal(this.current[kind]);
    await this.committer.idle();
    let changed = 0;
    for (const segment of [...this.segments]) {
      if (segment.deleted) continue;
      const { lines } = await readSegmentLines(segment.path);
      const kept: string[] = [];
      for (const line of lines) {
        const document = this.decode(line) as EventDocument | undefined;
        if (!document) continue;
        const next = transform(document);
        if (next === undefined) {
          changed++;
          if (this.located.get(document._id.toHexString()) === segment) this.settle([document]);
          continue;
        }
        // Unchanged: the line stays as written (a line of an older version's encoding included).
        const encoded = next === document ? line : this.encode(next);
        if (encoded !== line) changed++;
        kept.push(encoded);
      }
      if (kept.length !== lines.length || kept.some((line, index) => line !== lines[index])) await replaceSegment(segment, kept);
    }
    if (this.loaded) {
      const before = this.loaded.documents;
      this.loaded.documents = before.flatMap((document) => {
        const next = transform(document);
        if (next === undefined) this.settle([document]);
        if (next !== document) changed++;
        return next === undefined ? [] : [next];
      });
    }
    return changed + (await this.rewriteRejected(transform));
  }

  /** Writes what is pending, seals the segments, and leaves the directory (removed when empty). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.opening) return;
    await this.opening.catch(() => undefined);
    await this.committer.idle();
    for (const segment of [...this.segments]) {
      this.seal(segment);
      await this.release(segment);
    }
    for (const segment of this.segments) await segment.handle?.close().catch(() => undefined);
    await Promise.all(this.removals);
    await this.directory?.close(this.segments.size === 0);
  }

  private async openNow(): Promise<void> {
    const namespace = await this.options.namespace();
    this.directory = new WalDirectory(namespaceDirectory(this.options.directory, namespace));
    await this.directory.open();
    await this.claimStaleSegments();
    this.isOpen = true;
    for (const entry of this.early.splice(0)) entry.done(this.appendNow(entry.kind, entry.documents.filter((document) => !this.settledEarly.has(document._id.toHexString()))));
    this.settledEarly.clear();
  }

  /** Takes over the segments of owners that are gone (crashed or closed): they join the backlog, read back like a spill. */
  private async claimStaleSegments(): Promise<number> {
    const directory = this.directory!;
    const claimed = await directory.claimStale(() => this.segmentName('claimed'));
    for (const path of claimed) {
      const segment: Segment = { ...newSegment(path, true), sealed: true, counted: false };
      this.segments.add(segment);
      this.backlog.push(segment);
    }
    this.counters.claimedSegments += claimed.length;
    if (claimed.length > 0) this.options.logger?.warn({ segments: claimed.length, directory: directory.path }, 'audit write-ahead log: replaying the segments of a process that stopped before they were stored');
    return claimed.length;
  }

  private appendTo(kind: StreamKind, documents: EventDocument[]): Promise<void> {
    if (this.closed) throw new AuditLogClosedError();
    if (this.failure) return Promise.reject(this.failure);
    if (documents.length === 0) return Promise.resolve();
    if (this.isOpen) return this.appendNow(kind, documents);
    void this.open().catch(() => undefined); // logged by open()
    const appended = new Promise<Promise<void>>((done) => this.early.push({ kind, documents, done })).then((written) => written);
    const previous = this.earlyCommitted;
    this.earlyCommitted = previous ? Promise.all([previous, appended]).then(() => undefined) : appended;
    this.earlyCommitted.catch(() => undefined);
    return appended;
  }

  private appendNow(kind: StreamKind, documents: EventDocument[]): Promise<void> {
    if (documents.length === 0) return Promise.resolve();
    const segment = this.segmentFor(kind);
    for (const document of documents) {
      const id = document._id.toHexString();
      if (this.located.has(id)) continue;
      this.located.set(id, segment);
      segment.outstanding++;
    }
    return this.committer.append(segment, () => documents.map((document) => `${this.encode(document)}\n`).join(''));
  }

  private segmentFor(kind: StreamKind): Segment {
    const existing = this.current[kind];
    if (existing && !existing.sealed && existing.bytes < (this.options.maxSegmentBytes ?? 8 << 20)) return existing;
    if (existing) this.seal(existing);
    const segment = newSegment(join(this.directory!.path, this.segmentName(kind)), kind === 'spill');
    this.current[kind] = segment;
    this.segments.add(segment);
    if (kind === 'spill') this.backlog.push(segment);
    return segment;
  }

  private segmentName(kind: StreamKind | 'claimed'): string {
    return `${kind}-${Date.now().toString().padStart(14, '0')}-${String(this.sequence++).padStart(6, '0')}${SEGMENT_SUFFIX}`;
  }

  private seal(segment: Segment): void {
    segment.sealed = true;
    if (this.current.journal === segment) this.current.journal = undefined;
    if (this.current.spill === segment) this.current.spill = undefined;
  }

  private async release(segment: Segment): Promise<void> {
    if (segment.sealed && segment.writesPending === 0 && segment.outstanding > 0 && segment.handle) {
      const handle = segment.handle;
      segment.handle = undefined;
      await handle.close().catch(() => undefined);
    }
    const reading = this.loaded?.segment === segment && this.loaded.documents.length > 0;
    if (reading || !isDone(segment)) return;
    this.segments.delete(segment);
    const removal = removeSegmentFile(segment);
    this.removals.add(removal);
    await removal;
    this.removals.delete(removal);
  }

  /** A backlog segment's events that are not already in memory; a claimed one's are counted now. */
  private async load(segment: Segment): Promise<EventDocument[]> {
    const { lines, torn } = await readSegmentLines(segment.path);
    this.counters.tornLines += torn;
    const documents: EventDocument[] = [];
    const seen = new Set<string>();
    for (const line of lines) {
      const document = this.decode(line) as EventDocument | undefined;
      if (!document) continue;
      const id = document._id.toHexString();
      if (!segment.counted && !this.located.has(id)) {
        this.located.set(id, segment);
        segment.outstanding++;
      }
      if (this.located.get(id) === segment && !seen.has(id)) {
        seen.add(id);
        documents.push(document);
      }
    }
    segment.counted = true;
    return documents;
  }

  private async rewriteRejected(transform: (document: EventDocument) => EventDocument | undefined): Promise<number> {
    const { lines } = await readSegmentLines(this.rejectedPath());
    if (lines.length === 0) return 0;
    let changed = 0;
    const kept: string[] = [];
    for (const line of lines) {
      const entry = this.decode(line) as { document: EventDocument; reason: string } | undefined;
      if (!entry) continue;
      const next = transform(entry.document);
      if (next === undefined) {
        changed++;
        continue;
      }
      const encoded = next === entry.document ? line : this.encode({ document: next, reason: entry.reason });
      if (encoded !== line) changed++;
      kept.push(encoded);
    }
    await replaceSegment(newSegment(this.rejectedPath(), false), kept);
    return changed;
  }

  private rejectedPath(): string {
    return join(this.directory!.namespacePath, 'rejected.ndjson');
  }

  private encode(value: object): string {
    return encodeLine(this.options.bson, value);
  }

  private decode(line: string): unknown {
    try {
      // Relaxed: numbers come back as the plain numbers the document held, not BSON Int32/Double wrappers.
      return this.options.bson.EJSON.parse(line, { relaxed: true });
    } catch {
      this.counters.tornLines++;
      return undefined;
    }
  }
}
