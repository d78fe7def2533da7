import type { Binary, ObjectId } from 'mongodb';
import type { HostDatabase } from '../db/host-database';
import { ensureIndexes } from '../db/ensure-indexes';
import type { TCheckpoint } from './checkpoint';
import { storedBytes } from '../db/stored-bytes';
import { createTreeRepository } from './tree.repository';

/**
 * The stored tree of each tenant, in three collections the integrity slice alone touches:
 * - audit_integrity_logs: one document per tenant: size, frontier (the right edge, enough to append),
 *   the lease that lets one sealer at a time work on the tenant, the batch in progress, and the
 *   arrival mark (how far the writers' notes are sealed, arrival-window.ts).
 * - audit_integrity_nodes: the tree itself, nodes from BLOCK_LEVEL up and leaves packed in runs
 *   (tree.repository.ts, leaf-blocks.ts).
 * - audit_integrity_checkpoints: the signed checkpoints, one per (tenant, size).
 */
export const LOGS_COLLECTION = 'audit_integrity_logs';
export { NODES_COLLECTION, UPDATE_STATEMENTS } from './tree.repository';
export const CHECKPOINTS_COLLECTION = 'audit_integrity_checkpoints';

export type PendingBatch = { from: number; ids: ObjectId[] };
export type Lease = { owner: string; until: Date };
export type LogState = {
  _id: string;
  size: number;
  frontier: Buffer[];
  lease: Lease | null;
  pending: PendingBatch | null;
  lastCheckpoint: { size: number; time: Date } | null;
  needsCheckpoint?: boolean;
  /** Every arrival note stamped before it, visible in time, is sealed (arrival-window.ts); absent until the first batch from notes. */
  arrivalMark?: Date | null;
  /** From this position on, nodes below BLOCK_LEVEL are not stored but hashed from leaf runs (leaf-blocks.ts); absent on a log only an earlier version sealed. */
  packedFrom?: number;
};
type StoredLogState = Omit<LogState, 'frontier'> & { frontier: (Binary | Buffer)[] };
type StoredCheckpoint = TCheckpoint & { _id: string };

export function createIntegrityRepository(db: HostDatabase) {
  const logs = () => db.collection<StoredLogState>(LOGS_COLLECTION);
  const checkpoints = () => db.collection<StoredCheckpoint>(CHECKPOINTS_COLLECTION);
  const binary = (bytes: Buffer) => new db.driver.BSON.Binary(bytes);
  const fromStored = (stored: StoredLogState | null): LogState | null => stored && { ...stored, frontier: stored.frontier.map(storedBytes) };
  /** The lease is free, lapsed or this owner's. */
  const takeable = (owner: string, now: Date) => ({ $or: [{ lease: null }, { 'lease.until': { $lt: now } }, { 'lease.owner': owner }] });

  /** A new tenant's empty log under this lease; null when it exists already (another sealer holds it, or created it just now). */
  async function createLog(tenantId: string, lease: Lease): Promise<LogState | null> {
    const log: LogState = { _id: tenantId, size: 0, frontier: [], lease, pending: null, lastCheckpoint: null, packedFrom: 0 };
    try {
      await (await logs()).insertOne({ ...log });
      return log;
    } catch {
      return null;
    }
  }

  const tree = createTreeRepository(db, async (tenantId) => (await (await logs()).findOne({ _id: tenantId }, { projection: { packedFrom: 1 } }))?.packedFrom ?? Number.POSITIVE_INFINITY);

  return {
    ...tree,
    async ensureIndexes(): Promise<void> {
      await ensureIndexes(await checkpoints(), [{ name: 'tenant_size', key: { tenantId: 1, size: -1 } }]);
    },

    async state(tenantId: string): Promise<LogState | null> {
      return fromStored(await (await logs()).findOne({ _id: tenantId }));
    },

    /** Takes or renews the tenant's lease; false when another sealer holds it. Creates the log on first use. */
    async acquireLease(tenantId: string, owner: string, now: Date, ttlMs: number): Promise<boolean> {
      const lease = { owner, until: new Date(now.getTime() + ttlMs) };
      const result = await (await logs()).updateOne({ _id: tenantId, ...takeable(owner, now) }, { $set: { lease } });
      return result.matchedCount === 1 || (await createLog(tenantId, lease)) !== null;
    },

    /**
     * Takes or renews the tenant's lease and returns the log as it is then (one findAndModify: a
     * pass's lease and its first read of the log in one command); null when another sealer holds it.
     */
    async takeLease(tenantId: string, owner: string, now: Date, ttlMs: number): Promise<LogState | null> {
      const lease = { owner, until: new Date(now.getTime() + ttlMs) };
      const taken = await (await logs()).findOneAndUpdate({ _id: tenantId, ...takeable(owner, now) }, { $set: { lease } }, { returnDocument: 'after' });
      return taken ? fromStored(taken) : createLog(tenantId, lease);
    },

    /** How many tenants another sealer holds a live lease on (a small read: one document per tenant). */
    async leasedByOthers(owner: string, now: Date): Promise<number> {
      return (await logs()).countDocuments({ 'lease.until': { $gte: now }, 'lease.owner': { $ne: owner } });
    },

    async releaseLease(tenantId: string, owner: string): Promise<void> {
      await (await logs()).updateOne({ _id: tenantId, 'lease.owner': owner }, { $set: { lease: null } });
    },

    /**
     * Records the batch about to be sealed (write-ahead), only if this owner still holds the lease at
     * `size`; the same update renews the lease (`until`), so no separate renewal precedes the writes.
     */
    async beginBatch(tenantId: string, lease: Lease, size: number, pending: PendingBatch): Promise<boolean> {
      const result = await (await logs()).updateOne({ _id: tenantId, 'lease.owner': lease.owner, size, pending: null }, { $set: { pending, lease } });
      return result.modifiedCount === 1;
    },

    /**
     * Commits a sealed batch: the new size, frontier (and arrival mark, for a batch from notes), only
     * if this owner still holds the lease at `from`; renews the lease in the same update.
     */
    async commitBatch(tenantId: string, lease: Lease, from: number, next: { size: number; frontier: Buffer[]; arrivalMark?: Date | null; packedFrom: number }): Promise<boolean> {
      const { size, frontier, arrivalMark, packedFrom } = next;
      const result = await (await logs()).updateOne(
        { _id: tenantId, 'lease.owner': lease.owner, size: from },
        { $set: { size, frontier: frontier.map(binary), pending: null, lease, packedFrom, ...(size > from ? { needsCheckpoint: true } : {}), ...(arrivalMark ? { arrivalMark } : {}) } },
      );
      return result.modifiedCount === 1;
    },

    async addCheckpoint(checkpoint: TCheckpoint): Promise<void> {
      try {
        await (await checkpoints()).insertOne({ _id: `${checkpoint.tenantId}|${checkpoint.size}`, ...checkpoint });
      } catch (error) {
        if ((error as { code?: number }).code !== 11000) throw error; // one checkpoint per size: a second sealer's is the same tree
      }
      const lastCheckpoint = { size: checkpoint.size, time: checkpoint.time };
      // Cleared only if the tree did not grow meanwhile: a later batch keeps its tenant due.
      const cleared = await (await logs()).updateOne({ _id: checkpoint.tenantId, size: checkpoint.size }, { $set: { lastCheckpoint, needsCheckpoint: false } });
      if (cleared.matchedCount === 0) await (await logs()).updateOne({ _id: checkpoint.tenantId }, { $set: { lastCheckpoint } });
    },

    /** Tenants whose tree grew since their last checkpoint. */
    async tenantsDueCheckpoint(): Promise<string[]> {
      return (await (await logs()).find({ needsCheckpoint: true }, { projection: { _id: 1 } }).toArray()).map((log) => log._id);
    },

    async latestCheckpoint(tenantId: string): Promise<TCheckpoint | null> {
      return stripId(await (await checkpoints()).find({ tenantId }).sort({ size: -1 }).limit(1).next());
    },

    async checkpointAt(tenantId: string, size: number): Promise<TCheckpoint | null> {
      return stripId(await (await checkpoints()).findOne({ tenantId, size }));
    },

    async checkpoints(tenantId: string): Promise<TCheckpoint[]> {
      const found = await (await checkpoints()).find({ tenantId }).sort({ size: 1 }).toArray();
      return found.map((checkpoint) => stripId(checkpoint)!);
    },
  };
}

function stripId(checkpoint: StoredCheckpoint | null): TCheckpoint | null {
  if (!checkpoint) return null;
  const { _id, ...rest } = checkpoint;
  void _id;
  return { tenantId: rest.tenantId, size: rest.size, rootHash: rest.rootHash, time: rest.time, keyId: rest.keyId, note: rest.note };
}

export type IntegrityRepository = ReturnType<typeof createIntegrityRepository>;
