import type { Document, ObjectId } from 'mongodb';
import type { HostDatabase } from '../db/host-database';
import { ensureIndexes } from '../db/ensure-indexes';
import { AUDIT_EVENTS_COLLECTION } from './event.model';

/**
 * What the integrity sealer reads and writes on stored events: the seal (`integrity.position`, the
 * event's place in its tenant's log, and `integrity.sealedAt`) lives outside the hashed part, so
 * writing it changes nothing that is hashed. The events slice owns the collection; the integrity
 * slice reaches it only through this repository.
 */
export type StoredEventDocument = Document & { _id: ObjectId; tenantId: string; receivedAt: Date; integrity?: { position: number; sealedAt: Date } };

const SEAL_INDEX = { name: 'tenant_position', key: { tenantId: 1, 'integrity.position': 1 } } as const;
const UNSEALED = { 'integrity.position': { $exists: false } };

export function createEventSealsRepository(db: HostDatabase) {
  const events = () => db.collection<StoredEventDocument>(AUDIT_EVENTS_COLLECTION);

  return {
    ensureIndexes: async () => ensureIndexes(await events(), [{ ...SEAL_INDEX }]),

    /** Tenants with at least one event not yet sealed. */
    async tenantsWithUnsealed(): Promise<string[]> {
      return (await (await events()).distinct('tenantId', UNSEALED)) as string[];
    },

    /** The next events to seal, in the sealing order: stored time (receivedAt), then id. */
    async unsealed(tenantId: string, limit: number): Promise<StoredEventDocument[]> {
      return (await events()).find({ tenantId, ...UNSEALED }).sort({ receivedAt: 1, _id: 1 }).limit(limit).toArray();
    },

    async byIds(tenantId: string, ids: ObjectId[]): Promise<StoredEventDocument[]> {
      return (await events()).find({ tenantId, _id: { $in: ids } }).toArray();
    },

    /** Writes each event's position; an event already sealed at that position counts as done. */
    async writeSeals(tenantId: string, seals: { id: ObjectId; position: number }[], sealedAt: Date): Promise<void> {
      if (seals.length === 0) return;
      await (await events()).bulkWrite(
        seals.map(({ id, position }) => ({
          updateOne: { filter: { _id: id, tenantId, ...UNSEALED }, update: { $set: { integrity: { position, sealedAt } } } },
        })),
        { ordered: false },
      );
    },

    /** Sealed events with positions in [from, to), by position (a tampered log may hold gaps or twins). */
    async sealedRange(tenantId: string, from: number, to: number): Promise<StoredEventDocument[]> {
      return (await events()).find({ tenantId, 'integrity.position': { $gte: from, $lt: to } }).sort({ 'integrity.position': 1, _id: 1 }).toArray();
    },

    async byId(tenantId: string, id: ObjectId): Promise<StoredEventDocument | null> {
      return (await events()).findOne({ tenantId, _id: id });
    },

    /** Unsealed events stored before `before`: past the lag bound they are reported, not ignored. */
    async countUnsealedBefore(tenantId: string, before: Date): Promise<number> {
      return (await events()).countDocuments({ tenantId, ...UNSEALED, receivedAt: { $lt: before } });
    },

    /** Sealed events whose position is at or past `size`: beyond what the tree holds. */
    async sealedFrom(tenantId: string, size: number, limit: number): Promise<StoredEventDocument[]> {
      return (await events()).find({ tenantId, 'integrity.position': { $gte: size } }).sort({ 'integrity.position': 1 }).limit(limit).toArray();
    },
  };
}

export type EventSealsRepository = ReturnType<typeof createEventSealsRepository>;
