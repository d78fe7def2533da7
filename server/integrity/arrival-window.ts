import type { ObjectId } from 'mongodb';

/**
 * How the sealer reads the writers' arrival notes without reading all of them each batch.
 *
 * Each note is stamped (`notedAt`, the writer's wall clock) just before it is inserted. The tenant's
 * log keeps an **arrival mark**: every note stamped before it that was visible when the sealer read
 * is sealed. A batch reads only the notes stamped from `mark − NOTE_LATENESS_MS` on, so a note that
 * becomes visible up to that long after its stamp (a slow insert, clocks apart; it is the default lag
 * bound, which such a note has missed already) is still read. One visible later is read when the
 * window holds nothing unsealed while events are (sealer.ts), or, deleted meanwhile, found by the
 * search of the events. Which notes are sealed already is known exactly from the seals
 * (sealed-ids.ts), never from the stamps.
 * Notes stamped before the window are deleted once sealed, which keeps the collection (and so each
 * read, a scan on FerretDB v1) as small as the backlog. A late retry, a spill or a WAL replay is
 * noted when it is written, so it carries a fresh stamp whatever its `_id` and `receivedAt`.
 */
export const NOTE_LATENESS_MS = 10_000;

/** A writer's note of one stored event, as the sealer reads it; `note`: the id of the stored note that holds it (one per written batch). */
export type NotedArrival = { _id: ObjectId; receivedAt: Date; notedAt: Date; leaf: Buffer; note?: ObjectId };

/** The first stamp a batch reads: everything when the log has no mark yet. */
export function windowStart(mark: Date | null | undefined): Date | null {
  return mark ? new Date(mark.getTime() - NOTE_LATENESS_MS) : null;
}

/**
 * The sealing order: stored time, then id (a late retry is appended after what was sealed before it).
 * Ids compare by their bytes, the database's order for ObjectIds (and the order of their hex): not by
 * hex strings made per comparison, ~6 µs an event of the sealer's CPU in a profile of the ingest bench.
 */
export function bySealingOrder(a: { _id: ObjectId; receivedAt: Date }, b: { _id: ObjectId; receivedAt: Date }): number {
  return a.receivedAt.getTime() - b.receivedAt.getTime() || Buffer.compare(a._id.id, b._id.id);
}

/**
 * The next batch from the notes read, and the mark to commit with it: the earliest stamp of an
 * unsealed note left for a later batch, else just past the latest stamp read (never moving back
 * past what an earlier batch proved sealed, unless a note left over is older).
 */
export function pickArrivalBatch(noted: NotedArrival[], isSealed: (id: ObjectId) => boolean, limit: number, mark: Date | null | undefined): { batch: NotedArrival[]; left: NotedArrival[]; mark: Date | null } {
  const unsealed = noted.filter((arrival) => !isSealed(arrival._id)).sort(bySealingOrder);
  const [batch, left] = [unsealed.slice(0, limit), unsealed.slice(limit)];
  if (left.length > 0) return { batch, left, mark: new Date(earliestStamp(left)) };
  const latest = Math.max(mark?.getTime() ?? Number.NEGATIVE_INFINITY, latestStamp(noted) + 1);
  return { batch, left, mark: Number.isFinite(latest) ? new Date(latest) : null };
}

/**
 * The unsealed notes a sealer has read but not sealed yet, per tenant, while the log stays as it
 * left it: its next batch reads only the notes stamped since its last read (less the lateness), not
 * the whole backlog again (measured: 2.7 s to read 24,500 notes while writers ran), and of those
 * only the stored notes it has not read yet (`seen`: each written batch's note is read about once,
 * not once a pass for the 10 s of the window). That is exact because every unsealed event of a note
 * read is held here or sealed by the batch committed with it. Whatever else changes the log (another
 * sealer's commit, a batch begun and lost) makes it read from the mark, every note again.
 */
export function createNoteBacklog() {
  const byTenant = new Map<string, { size: number; readUpTo: number; unsealed: NotedArrival[]; seen: Map<string, { note: ObjectId; notedAt: Date }> }>();

  return {
    /** Where the next read starts, and the notes held from earlier reads. */
    plan(tenantId: string, log: { size: number; arrivalMark?: Date | null }): { since: Date | null; held: NotedArrival[] } {
      const known = byTenant.get(tenantId);
      if (known?.size === log.size) return { since: windowStart(new Date(known.readUpTo)), held: known.unsealed };
      byTenant.delete(tenantId);
      return { since: windowStart(log.arrivalMark), held: [] };
    },

    /** The stored notes read already (their unsealed events are held): a read may leave them out. Call after `plan`. */
    seen(tenantId: string): { notes: ObjectId[]; oldest: Date | null } {
      const seen = [...(byTenant.get(tenantId)?.seen.values() ?? [])];
      return { notes: seen.map(({ note }) => note), oldest: seen.length > 0 ? new Date(earliestStamp(seen)) : null };
    },

    /** The log is now at `size` with these notes read and those left unsealed. */
    keep(tenantId: string, size: number, read: NotedArrival[], left: NotedArrival[]): void {
      const known = byTenant.get(tenantId);
      const readUpTo = Math.max(known?.readUpTo ?? Number.NEGATIVE_INFINITY, latestStamp(read));
      if (!Number.isFinite(readUpTo)) return void byTenant.delete(tenantId);
      const seen = known?.seen ?? new Map<string, { note: ObjectId; notedAt: Date }>();
      // A note's arrivals come one after another, sharing its id: one key a note, not one an event.
      let last: ObjectId | undefined;
      for (const { note, notedAt } of read) {
        if (!note || note === last) continue;
        last = note;
        seen.set(note.toHexString(), { note, notedAt });
      }
      byTenant.set(tenantId, { size, readUpTo, unsealed: left, seen });
    },

    /** The notes stamped before `before` are deleted: no read returns them any more. */
    forgot(tenantId: string, before: Date): void {
      const seen = byTenant.get(tenantId)?.seen;
      for (const [key, { notedAt }] of seen ?? []) if (notedAt < before) seen!.delete(key);
    },

    drop: (tenantId: string) => void byTenant.delete(tenantId),
  };
}

/**
 * The earliest and the latest stamp (ms; +∞ and −∞ when there are none), by a loop: a backlog after
 * an outage can hold more notes than `Math.min(...stamps)` may take as arguments (a RangeError past
 * roughly 100,000).
 */
export function earliestStamp(notes: Iterable<{ notedAt: Date }>): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const { notedAt } of notes) earliest = Math.min(earliest, notedAt.getTime());
  return earliest;
}

export function latestStamp(notes: Iterable<{ notedAt: Date }>): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (const { notedAt } of notes) latest = Math.max(latest, notedAt.getTime());
  return latest;
}

/** Notes held and read, each once. */
export function mergeNotes(held: NotedArrival[], read: NotedArrival[]): NotedArrival[] {
  const byId = new Map(held.map((arrival) => [arrival._id.toHexString(), arrival]));
  for (const arrival of read) byId.set(arrival._id.toHexString(), arrival);
  return [...byId.values()];
}

/**
 * Notes stamped before this may be deleted once the batch read at `readAt` (wall clock, the clock
 * the stamps come from, taken before the read) is committed with `mark`: each was read and sealed,
 * or became visible more than NOTE_LATENESS_MS after its stamp (left to the full search of the
 * events). An idle tenant's last notes go once they are that old.
 */
export function forgetNotesBefore(mark: Date, readAt: number): Date {
  return new Date(Math.min(mark.getTime(), readAt - NOTE_LATENESS_MS));
}
