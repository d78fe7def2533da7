import type { Binary, Document, ObjectId } from 'mongodb';
import { bulkWriteErrorsOf, DUPLICATE_KEY } from '../db/driver-errors';
import type { HostDatabase } from '../db/host-database';
import { ensureIndexes } from '../db/ensure-indexes';
import { storedBytes } from '../db/stored-bytes';
import { AUDIT_EVENTS_COLLECTION } from './event.model';

/**
 * What the integrity sealer reads and writes about stored events. A seal (the event's position in
 * its tenant's log, and when it was sealed) is a document of its own in `audit_event_seals`, keyed
 * by the event's id, never a change to the event: stored events are only ever inserted. That is
 * what lets sealing keep up on FerretDB v1, where an update costs a scan of the whole collection per
 * document (measured: ~300 ms per event at 30,000 events), and it keeps the seal outside the hashed
 * part by construction. Readers get the seal attached as `integrity: { position, sealedAt }`.
 */
export type StoredEventDocument = Document & { _id: ObjectId; tenantId: string; receivedAt: Date; integrity?: { position: number; sealedAt: Date } };
type StoredSeal = { _id: ObjectId; tenantId: string; position: number; sealedAt: Date };
/** A written event as the sealer needs it: noted right after the event's batch is written. */
export type EventArrival = { _id: ObjectId; tenantId: string; receivedAt: Date; leaf: Buffer };
/**
 * One note per tenant per written batch (up to NOTE_EVENTS events): the events packed into three
 * binaries, 12-byte ids, stored times as float64 milliseconds (little-endian) and 32-byte leaf
 * hashes, stamped `notedAt` (the noting process's wall clock just before the insert). Packed
 * because FerretDB v1 scans every document of the collection for any query that is not by `_id`
 * and its cost is per document: a read of 10,000 one-event notes took ~700 ms of FerretDB's CPU,
 * of the same events in 20 packed notes ~20 ms (and a sealer reads them every pass).
 */
type StoredArrivalBatch = { _id: ObjectId; tenantId: string; notedAt: Date; ids: Binary | Buffer; receivedAt: Binary | Buffer; leaves: Binary | Buffer };
/** A note of one event, as written before the notes were packed (`_id` the event's id; early ones lack `notedAt`: their receivedAt stands in). */
type StoredEventArrival = { _id: ObjectId; tenantId: string; receivedAt: Date; leaf: Binary | Buffer; notedAt?: Date };
type StoredArrival = StoredArrivalBatch | StoredEventArrival;
/** Notes stamped at or after `since` (false: before it), a missing stamp read as the stored time. */
const stamped = (comparison: '$gte' | '$lt', since: Date) => ({ $or: [{ notedAt: { [comparison]: since } }, { notedAt: { $exists: false }, receivedAt: { [comparison]: since } }] });
/** Events per packed note: ~52 bytes each, so a note stays ~50 KB whatever the batch. */
const NOTE_EVENTS = 1_000;

export const EVENT_SEALS_COLLECTION = 'audit_event_seals';
export const EVENT_ARRIVALS_COLLECTION = 'audit_event_arrivals';
const SEAL_INDEX = { name: 'tenant_position', key: { tenantId: 1, position: 1 } } as const;
/** Above this many ids, events are read by one pass over the tenant rather than with $in. */
const IN_LIMIT = 2_000;
const ARRIVAL_INDEXES = [
  { name: 'tenant_received', key: { tenantId: 1, receivedAt: 1 } },
  { name: 'tenant_noted', key: { tenantId: 1, notedAt: 1 } },
] as const;

export function createEventSealsRepository(db: HostDatabase) {
  const events = () => db.collection<StoredEventDocument>(AUDIT_EVENTS_COLLECTION);
  const seals = () => db.collection<StoredSeal>(EVENT_SEALS_COLLECTION);
  const arrivals = () => db.collection<StoredArrival>(EVENT_ARRIVALS_COLLECTION);

  const sealedIds = async (tenantId: string): Promise<Set<string>> =>
    new Set((await (await seals()).find({ tenantId }, { projection: { _id: 1 } }).toArray()).map((seal) => seal._id.toHexString()));

  /** The events of these seals, each with its seal attached; a seal whose event is gone yields nothing. */
  async function withEvents(tenantId: string, found: StoredSeal[]): Promise<StoredEventDocument[]> {
    if (found.length === 0) return [];
    const byId = new Map<string, StoredEventDocument>();
    if (found.length <= IN_LIMIT) {
      for (const event of await (await events()).find({ tenantId, _id: { $in: found.map((seal) => seal._id) } }).toArray()) byId.set(event._id.toHexString(), event);
    } else {
      // A large page is read as one pass over the tenant's events: FerretDB v1 checks an $in list
      // against every document it decodes (20,000 ids × 30,000 events took minutes), a pass is one scan.
      const wanted = new Set(found.map((seal) => seal._id.toHexString()));
      for await (const event of (await events()).find({ tenantId })) if (wanted.has(event._id.toHexString())) byId.set(event._id.toHexString(), event);
    }
    return found.flatMap((seal) => {
      const event = byId.get(seal._id.toHexString());
      return event ? [{ ...event, integrity: { position: seal.position, sealedAt: seal.sealedAt } }] : [];
    });
  }

  return {
    ensureIndexes: async () => {
      await ensureIndexes(await seals(), [{ ...SEAL_INDEX }]);
      await ensureIndexes(await arrivals(), ARRIVAL_INDEXES.map((index) => ({ ...index })));
    },

    /**
     * Notes written events for the sealer, in one insert command: per tenant one packed note of
     * their ids, stored times and leaf hashes (~52 bytes an event), stamped with the time of noting.
     * Finding unsealed events then reads these, not the events (on FerretDB v1 every such read is a
     * scan, and events are ~3.5 KB each). An event noted twice (a replayed batch) has two notes: the
     * sealer keeps one per id, and the seals say whether it is sealed.
     */
    async noteArrivals(written: EventArrival[]): Promise<void> {
      if (written.length === 0) return;
      const notedAt = new Date();
      const byTenant = new Map<string, EventArrival[]>();
      for (const arrival of written) byTenant.get(arrival.tenantId)?.push(arrival) ?? byTenant.set(arrival.tenantId, [arrival]);
      const notes: StoredArrivalBatch[] = [];
      for (const [tenantId, arrivals] of byTenant) {
        for (let at = 0; at < arrivals.length; at += NOTE_EVENTS) notes.push({ _id: db.objectId(), tenantId, notedAt, ...packArrivals(arrivals.slice(at, at + NOTE_EVENTS), (bytes) => new db.driver.BSON.Binary(bytes)) });
      }
      await (await arrivals()).insertMany(notes, { ordered: false });
    },

    /**
     * The tenant's noted events stamped at or after `since` (all of them without), sealed or not,
     * leaving out the stored notes `except` (the sealer's, read already):
     * the sealer tells them apart (server/integrity/arrival-window.ts). An event written without its
     * note (its process died in between, or it was stored by other means) is found by `unsealed`,
     * which the sealer runs at least every five minutes.
     */
    async arrivalsNotedSince(tenantId: string, since: Date | null, except: ObjectId[] = []): Promise<Array<{ _id: ObjectId; receivedAt: Date; notedAt: Date; leaf: Buffer; note: ObjectId }>> {
      const filter = { tenantId, ...(since ? stamped('$gte', since) : {}), ...(except.length > 0 ? { _id: { $nin: except } } : {}) };
      const notes = await (await arrivals()).find(filter).toArray();
      return notes.flatMap((note) =>
        'ids' in note
          ? unpackArrivals(note, (bytes) => new db.driver.ObjectId(bytes))
          : [{ _id: note._id, receivedAt: note.receivedAt, notedAt: note.notedAt ?? note.receivedAt, leaf: storedBytes(note.leaf), note: note._id }],
      );
    },

    /**
     * Deletes the tenant's notes stamped before `before` (one delete command, one statement): the
     * sealer's, once it knows their events sealed. That keeps the collection as small as the backlog.
     */
    async forgetArrivalsBefore(tenantId: string, before: Date): Promise<void> {
      await (await arrivals()).deleteMany({ tenantId, ...stamped('$lt', before) });
    },

    /** Tenants with notes (a distinct over the small arrival notes, which hold what is unsealed and seconds more). */
    async tenantsWithArrivals(): Promise<string[]> {
      return (await (await arrivals()).distinct('tenantId', {})) as string[];
    },

    /** The ids (hex) of the tenant's seals at positions [from, to). */
    async sealedIdsAt(tenantId: string, from: number, to: number): Promise<string[]> {
      const found = await (await seals()).find({ tenantId, position: { $gte: from, $lt: to } }, { projection: { _id: 1 } }).toArray();
      return found.map((seal) => seal._id.toHexString());
    },

    /** Tenants with more stored events than seals: they have events to seal. */
    async tenantsWithUnsealed(): Promise<string[]> {
      const countBy = async (collection: Awaited<ReturnType<typeof events | typeof seals>>) =>
        new Map((await collection.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$tenantId', n: { $sum: 1 } } }]).toArray()).map(({ _id, n }) => [_id, n]));
      const [stored, sealed] = await Promise.all([countBy(await events()), countBy(await seals())]);
      return [...stored].filter(([tenantId, n]) => n > (sealed.get(tenantId) ?? 0)).map(([tenantId]) => tenantId);
    },

    /**
     * The next events to seal, in the sealing order: stored time (receivedAt), then id. One read of
     * the tenant's seal ids and one of its events (a scan either way on FerretDB v1, which pushes down
     * little more than `_id`); the sealer asks for large batches so that a pass reads them once.
     */
    async unsealed(tenantId: string, limit: number): Promise<StoredEventDocument[]> {
      const sealed = await sealedIds(tenantId);
      const next: StoredEventDocument[] = [];
      for await (const event of (await events()).find({ tenantId }).sort({ receivedAt: 1, _id: 1 })) {
        if (sealed.has(event._id.toHexString())) continue;
        next.push(event);
        if (next.length >= limit) break;
      }
      return next;
    },

    async byIds(tenantId: string, ids: ObjectId[]): Promise<StoredEventDocument[]> {
      return (await events()).find({ tenantId, _id: { $in: ids } }).toArray();
    },

    /**
     * Inserts each event's seal. A seal that exists already (a batch sealed again after a crash: the
     * same position) counts as done; only inserts, in one command per call.
     */
    async writeSeals(tenantId: string, written: { id: ObjectId; position: number }[], sealedAt: Date): Promise<void> {
      if (written.length === 0) return;
      try {
        await (await seals()).insertMany(
          written.map(({ id, position }) => ({ _id: id, tenantId, position, sealedAt })),
          { ordered: false },
        );
      } catch (error) {
        if (!bulkWriteErrorsOf(error)?.every((writeError) => writeError.code === DUPLICATE_KEY)) throw error;
      }
    },

    /** Sealed events with positions in [from, to), by position (a tampered log may hold gaps or twins). */
    async sealedRange(tenantId: string, from: number, to: number): Promise<StoredEventDocument[]> {
      return withEvents(tenantId, await (await seals()).find({ tenantId, position: { $gte: from, $lt: to } }).sort({ position: 1, _id: 1 }).toArray());
    },

    /** By _id alone, the tenant checked after: FerretDB v1 pushes down nothing else (with the tenant in the filter it scans). */
    async byId(tenantId: string, id: ObjectId): Promise<StoredEventDocument | null> {
      const stored = await (await events()).findOne({ _id: id });
      const event = stored?.tenantId === tenantId ? stored : null;
      const found = event && (await (await seals()).findOne({ _id: id }));
      const seal = found?.tenantId === tenantId ? found : null;
      return event && (seal ? { ...event, integrity: { position: seal.position, sealedAt: seal.sealedAt } } : event);
    },

    /** The log positions of these events (those sealed), by id (hex). */
    async positions(tenantId: string, ids: ObjectId[]): Promise<Map<string, number>> {
      if (ids.length === 0) return new Map();
      const found = await (await seals()).find({ tenantId, _id: { $in: ids } }).toArray();
      return new Map(found.map((seal) => [seal._id.toHexString(), seal.position]));
    },

    /** Unsealed events stored before `before`: past the lag bound they are reported, not ignored. */
    async countUnsealedBefore(tenantId: string, before: Date): Promise<number> {
      const sealed = await sealedIds(tenantId);
      const older = await (await events()).find({ tenantId, receivedAt: { $lt: before } }, { projection: { _id: 1 } }).toArray();
      return older.filter((event) => !sealed.has(event._id.toHexString())).length;
    },

    /** Sealed events whose position is at or past `size`: beyond what the tree holds. */
    async sealedFrom(tenantId: string, size: number, limit: number): Promise<StoredEventDocument[]> {
      return withEvents(tenantId, await (await seals()).find({ tenantId, position: { $gte: size } }).sort({ position: 1 }).limit(limit).toArray());
    },
  };
}

export type EventSealsRepository = ReturnType<typeof createEventSealsRepository>;

/** The packed fields of one note (StoredArrivalBatch). */
function packArrivals<B>(arrivals: EventArrival[], binary: (bytes: Buffer) => B): { ids: B; receivedAt: B; leaves: B } {
  const [ids, receivedAt, leaves] = [Buffer.alloc(12 * arrivals.length), Buffer.alloc(8 * arrivals.length), Buffer.alloc(32 * arrivals.length)];
  arrivals.forEach((arrival, i) => {
    ids.set(arrival._id.id, 12 * i);
    receivedAt.writeDoubleLE(arrival.receivedAt.getTime(), 8 * i);
    arrival.leaf.copy(leaves, 32 * i);
  });
  return { ids: binary(ids), receivedAt: binary(receivedAt), leaves: binary(leaves) };
}

/**
 * Each id and leaf is a view into one copy of the note's binaries, not a copy of its own: two
 * allocations a note rather than two an event (unpacking 1.2 → 0.46 µs an event). The copy lets
 * the driver's reply go while the views are held (a leaf can stay in the frontier until the next batch).
 */
function unpackArrivals(note: StoredArrivalBatch, objectId: (bytes: Buffer) => ObjectId): Array<{ _id: ObjectId; receivedAt: Date; notedAt: Date; leaf: Buffer; note: ObjectId }> {
  const [ids, receivedAt, leaves] = [storedBytes(note.ids), storedBytes(note.receivedAt), storedBytes(note.leaves)];
  const unpacked = new Array<{ _id: ObjectId; receivedAt: Date; notedAt: Date; leaf: Buffer; note: ObjectId }>(Math.floor(ids.length / 12));
  for (let i = 0; i < unpacked.length; i++) {
    unpacked[i] = { _id: objectId(ids.subarray(12 * i, 12 * i + 12)), receivedAt: new Date(receivedAt.readDoubleLE(8 * i)), notedAt: note.notedAt, leaf: leaves.subarray(32 * i, 32 * i + 32), note: note._id };
  }
  return unpacked;
}
