import { open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import type { BSON } from 'mongodb';

/** One append-only file of the write-ahead log: one encoded event per line. */
export interface Segment {
  path: string;
  /** Bytes appended (committed or not). */
  bytes: number;
  /** Events in it not yet stored in MongoDB. */
  outstanding: number;
  /** No more appends: it may be deleted once `outstanding` is 0 and its writes are done. */
  sealed: boolean;
  /** Events whose copy in memory is gone (spilled, or claimed from a crashed owner): they are read back. */
  backlog: boolean;
  /** Its events are counted in `outstanding` (at append; a claimed segment when it is read). */
  counted: boolean;
  writesPending: number;
  handle?: FileHandle;
  deleted?: boolean;
}

export function newSegment(path: string, backlog: boolean): Segment {
  return { path, bytes: 0, outstanding: 0, sealed: false, backlog, counted: true, writesPending: 0 };
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
  settled: boolean;
}

function deferred(): Deferred {
  const entry = { settled: false } as Deferred;
  entry.promise = new Promise<void>((resolve, reject) => {
    entry.resolve = () => ((entry.settled = true), resolve());
    entry.reject = (error) => ((entry.settled = true), reject(error));
  });
  // Nobody may be waiting on a group (buffered mode): its failure is counted and logged, not unhandled.
  entry.promise.catch(() => undefined);
  return entry;
}

/**
 * Group commit: appends made while one write is on its way to the disk go out together in the next
 * one, each segment's part with one `write` and one `fdatasync`. `committed()` is the promise of the
 * newest group: it resolves once everything appended before the call is on disk.
 */
/** Lines to append, encoded only when their group is written (see GroupCommitter.append). */
export type PendingLines = () => string;

export class GroupCommitter {
  private group: Array<{ segment: Segment; lines: PendingLines }> = [];
  private groupDone: Deferred | undefined;
  private latest: Deferred | undefined;
  private flushing: Promise<void> | undefined;
  /** Groups that could not be written (disk full, directory gone). */
  failedGroups = 0;

  constructor(private readonly onWritten: (segment: Segment) => void) {}

  /**
   * Every append of this turn of the event loop joins the group, which is encoded and written once
   * the turn's I/O has gone out (setImmediate): a batch insert the same turn started is then on its
   * way to the database while the lines are encoded, instead of waiting behind them (in ingest's
   * tight loop, 5,000 lines are ~60 ms). A segment's `bytes` counts lines once encoded, so a segment
   * can pass its size limit by what one turn appends.
   */
  append(segment: Segment, lines: PendingLines): Promise<void> {
    segment.writesPending++;
    this.group.push({ segment, lines });
    this.groupDone ??= deferred();
    this.latest = this.groupDone;
    this.flushing ??= new Promise<void>((start) => setImmediate(start)).then(() => this.flushLoop());
    return this.groupDone.promise;
  }

  committed(): Promise<void> | undefined {
    return this.latest && !this.latest.settled ? this.latest.promise : undefined;
  }

  /** Resolves once nothing is waiting to be written. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushLoop(): Promise<void> {
    while (this.group.length > 0) {
      const group = this.group;
      const done = this.groupDone!;
      this.group = [];
      this.groupDone = undefined;
      try {
        await writeGroup(group);
        done.resolve();
      } catch (error) {
        this.failedGroups++;
        done.reject(error);
      } finally {
        for (const { segment } of group) {
          segment.writesPending--;
          this.onWritten(segment);
        }
      }
    }
    this.flushing = undefined;
  }
}

async function writeGroup(group: Array<{ segment: Segment; lines: PendingLines }>): Promise<void> {
  // Pushed, not spread into a new array per append: a group of 5,000 appends (ingest's tight loop) took 39 ms.
  const bySegment = new Map<Segment, string[]>();
  for (const { segment, lines } of group) {
    const text = lines();
    segment.bytes += Buffer.byteLength(text);
    const texts = bySegment.get(segment);
    if (texts) texts.push(text);
    else bySegment.set(segment, [text]);
  }
  for (const [segment, texts] of bySegment) {
    // O_APPEND: a torn write can only damage the last line, which replay skips.
    segment.handle ??= await open(segment.path, 'a');
    await segment.handle.write(texts.join(''));
    await segment.handle.datasync();
  }
}

/** Sealed, written and nothing left in it to store: the file may go. */
export function isDone(segment: Segment): boolean {
  return !segment.deleted && segment.sealed && segment.outstanding <= 0 && segment.writesPending === 0 && segment.counted;
}

export async function removeSegmentFile(segment: Segment): Promise<void> {
  segment.deleted = true;
  const handle = segment.handle;
  segment.handle = undefined;
  await handle?.close().catch(() => undefined);
  await unlink(segment.path).catch(() => undefined);
}

/**
 * One entry as a line: Extended JSON, read back with `EJSON.parse(line, { relaxed: true })`. An event
 * document is plain JSON but for its top-level `_id` and dates, so those become `{"$oid"}` and
 * `{"$date"}` and the rest goes through `JSON.stringify`: `EJSON.stringify` walks every member into a
 * wrapper object, and was 3–4× the cost (121 → ~35 µs for a 23-field create event, measured in the
 * host bench's profile). Anything else (a nested Date or BSON value, a number JSON cannot write) takes
 * the canonical EJSON path (so does `undefined`, which it writes as null), so every line reads back
 * as the same document.
 */
export function encodeLine(bson: typeof BSON, value: object): string {
  const line: Record<string, unknown> = {};
  for (const key in value) {
    const member = (value as Record<string, unknown>)[key];
    if (member instanceof Date && !Number.isNaN(member.getTime())) line[key] = { $date: { $numberLong: String(member.getTime()) } };
    else if (member instanceof bson.ObjectId) line[key] = { $oid: member.toHexString() };
    else if (isPlainJson(member, 0)) line[key] = member;
    else return bson.EJSON.stringify(value, { relaxed: false });
  }
  return JSON.stringify(line);
}

function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object' || depth > 32) return false;
  if (Array.isArray(value)) return value.every((member) => isPlainJson(member, depth + 1));
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key in value) if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}

/** The lines of a segment; a last line cut short by a crash (never acknowledged) is left out and counted. */
export async function readSegmentLines(path: string): Promise<{ lines: string[]; torn: number }> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : Promise.reject(error)));
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  return { lines: lines.filter((line) => line.length > 0), torn: last.length > 0 ? 1 : 0 };
}

/** Replaces a sealed segment's content (write, fsync, rename: a crash leaves the old or the new file). */
export async function replaceSegment(segment: Segment, lines: string[]): Promise<void> {
  await segment.handle?.close().catch(() => undefined);
  segment.handle = undefined;
  const temporary = `${segment.path}.rewrite`;
  const handle = await open(temporary, 'w');
  try {
    await handle.write(lines.map((line) => `${line}\n`).join(''));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, segment.path);
  segment.bytes = lines.reduce((total, line) => total + Buffer.byteLength(line) + 1, 0);
}
