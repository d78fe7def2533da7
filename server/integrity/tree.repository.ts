import type { Binary, ObjectId } from 'mongodb';
import type { HostDatabase } from '../db/host-database';
import { bulkWriteErrorsOf, DUPLICATE_KEY } from '../db/driver-errors';
import { storedBytes } from '../db/stored-bytes';
import { BLOCK_LEAVES, blockOf, blocksNeeded, isStoredNode, leafRuns, storedNodes, subtreeFromLeaves } from './leaf-blocks';
import type { CompletedNode } from './merkle-frontier';
import { HASH_BYTES, type NodeAddress } from './merkle';

/**
 * The stored tree of each tenant, in `audit_integrity_nodes` (layout: leaf-blocks.ts), two kinds of
 * document, both only ever inserted:
 * - a node: `_id` `<tenant>|<level>|<index>` (the last two parts numbers), `hash`; a level-0 node
 *   (stored only before the log's `packedFrom`) also `eventId`;
 * - a leaf run: `_id` `<tenant>|leaves|<from>`, positions [from, to) of one block, `ids` (12 bytes
 *   each) and `leaves` (32 bytes each). A block's runs are chained: the first starts at the block's
 *   first position, each next one at the previous one's `to`, so a block is read by `_id` alone.
 */
export const NODES_COLLECTION = 'audit_integrity_nodes';

type StoredNode = { _id: string; tenantId: string; level: number; index: number; hash: Binary | Buffer; eventId?: ObjectId };
type StoredRun = { _id: string; tenantId: string; from: number; to: number; ids: Binary | Buffer; leaves: Binary | Buffer };
type StoredTreeDocument = StoredNode | StoredRun;
export type StoredLeaf = { hash: Buffer; eventId?: ObjectId };
/** A batch as the tree stores it: its leaves from `from`, their events' ids, the nodes the append completed. */
export type TreeAppend = { from: number; ids: ObjectId[]; leaves: Buffer[]; completed: CompletedNode[]; packedFrom: number };

/**
 * At most this many statements in one update command: FerretDB v1.24 (SQLite) holds a pooled
 * connection per statement until the command ends and deadlocks for good at about 100 (the whole
 * server stops answering). That is what sealed nothing once: a 500-event batch upserted ~1,000 nodes
 * in one bulkWrite. The sealer writes by inserts; this bounds the rare repair path.
 */
export const UPDATE_STATEMENTS = 50;
/** Up to this many nodes are read one by one by _id (a proof needs ~log2 n); more with $in. */
const BY_ID_LOOKUPS = 64;

const nodeId = (tenantId: string, { level, index }: NodeAddress) => `${tenantId}|${level}|${index}`;
const runId = (tenantId: string, from: number) => `${tenantId}|leaves|${from}`;
const key = ({ level, index }: NodeAddress) => `${level}|${index}`;
/** What a document says, to tell a twin written again after a crash from a different one. */
const contentOf = (document: StoredTreeDocument): string =>
  'hash' in document ? `${storedBytes(document.hash).toString('hex')}/${document.eventId?.toHexString() ?? ''}` : `${document.to}/${storedBytes(document.ids).toString('hex')}/${storedBytes(document.leaves).toString('hex')}`;

/** `packedFrom` of the tenant's log: where nodes below BLOCK_LEVEL stop being stored (a log sealed only by an earlier version has none: all stored). */
export type PackedFromOf = (tenantId: string) => Promise<number>;

export function createTreeRepository(db: HostDatabase, packedFromOf: PackedFromOf) {
  const documents = () => db.collection<StoredTreeDocument>(NODES_COLLECTION);
  const binary = (bytes: Buffer) => new db.driver.BSON.Binary(bytes);

  /** Nodes stored as documents, by address key. */
  async function storedByAddress(tenantId: string, addresses: NodeAddress[]): Promise<Map<string, StoredLeaf>> {
    const found = new Map<string, StoredLeaf>();
    const ids = [...new Set(addresses.map((address) => nodeId(tenantId, address)))];
    const keep = (node: StoredTreeDocument | null) => node && 'hash' in node && found.set(key(node), { hash: storedBytes(node.hash), eventId: node.eventId });
    if (ids.length <= BY_ID_LOOKUPS) {
      // A proof's few nodes, one by _id each: FerretDB v1 pushes down _id equality, not $in (a scan of every node).
      for (const node of await Promise.all(ids.map(async (id) => (await documents()).findOne({ _id: id })))) keep(node);
      return found;
    }
    for (let at = 0; at < ids.length; at += 5_000) for (const node of await (await documents()).find({ _id: { $in: ids.slice(at, at + 5_000) } }).toArray()) keep(node);
    return found;
  }

  /** One block's leaves up to `upTo` (or as far as its runs go), by following its chain of runs by `_id`. */
  async function blockLeaves(tenantId: string, block: number, upTo: number, into: Map<number, StoredLeaf>): Promise<void> {
    const end = Math.min(upTo, (block + 1) * BLOCK_LEAVES);
    for (let at = block * BLOCK_LEAVES; at < end; ) {
      const run = await (await documents()).findOne({ _id: runId(tenantId, at) });
      if (!run || !('leaves' in run) || run.to <= at) return;
      const [ids, leaves] = [storedBytes(run.ids), storedBytes(run.leaves)];
      for (let i = 0; i < run.to - at && (i + 1) * HASH_BYTES <= leaves.length; i++) {
        into.set(at + i, { hash: Buffer.from(leaves.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES)), eventId: ids.length >= (i + 1) * 12 ? new db.driver.ObjectId(Buffer.from(ids.subarray(i * 12, (i + 1) * 12))) : undefined });
      }
      at = run.to;
    }
  }

  /** Leaves of packed blocks, each block read to the position given (blocks in parallel). */
  async function packedLeaves(tenantId: string, needed: Map<number, number>): Promise<Map<number, StoredLeaf>> {
    const leaves = new Map<number, StoredLeaf>();
    await Promise.all([...needed].map(([block, upTo]) => blockLeaves(tenantId, block, upTo, leaves)));
    return leaves;
  }

  /**
   * Inserts twins of documents already there (a batch sealed again after a crash writes the same
   * ones): those are checked, and only one stored with other content is replaced (one statement
   * each, in commands of at most UPDATE_STATEMENTS).
   */
  async function insertOrRepair(written: StoredTreeDocument[]): Promise<void> {
    try {
      await (await documents()).insertMany(written, { ordered: false });
    } catch (error) {
      const writeErrors = bulkWriteErrorsOf(error);
      if (!writeErrors?.every((writeError) => writeError.code === DUPLICATE_KEY)) throw error;
      const twins = writeErrors.map((writeError) => written[writeError.index]!);
      const stored = new Map((await (await documents()).find({ _id: { $in: twins.map((twin) => twin._id) } }).toArray()).map((document) => [document._id, document]));
      const differing = twins.filter((twin) => {
        const existing = stored.get(twin._id);
        return !existing || contentOf(existing) !== contentOf(twin);
      });
      for (let at = 0; at < differing.length; at += UPDATE_STATEMENTS) {
        const page = differing.slice(at, at + UPDATE_STATEMENTS);
        await (await documents()).bulkWrite(page.map((document) => ({ replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } })), { ordered: false });
      }
    }
  }

  return {
    /** Stores a sealed batch's part of the tree, in one insert command: its leaf runs and the nodes at BLOCK_LEVEL and above (all of them before `packedFrom`). */
    async writeTree(tenantId: string, { from, ids, leaves, completed, packedFrom }: TreeAppend): Promise<void> {
      const nodes: StoredTreeDocument[] = storedNodes(completed, packedFrom).map((node) => {
        const eventId = node.level === 0 ? ids[node.index - from] : undefined;
        return { _id: nodeId(tenantId, node), tenantId, level: node.level, index: node.index, hash: binary(node.hash), ...(eventId ? { eventId } : {}) };
      });
      const runs: StoredTreeDocument[] = leafRuns(from, ids, leaves, packedFrom).map((run) => ({
        _id: runId(tenantId, run.from),
        tenantId,
        from: run.from,
        to: run.from + run.leaves.length,
        ids: binary(Buffer.concat(run.ids.map((id) => id.id))),
        leaves: binary(Buffer.concat(run.leaves)),
      }));
      if (nodes.length + runs.length > 0) await insertOrRepair([...runs, ...nodes]);
    },

    /** The tree's nodes by address, stored or hashed from their block's leaves; missing ones are absent from the map. */
    async nodes(tenantId: string, addresses: NodeAddress[]): Promise<Map<string, StoredLeaf>> {
      const packedFrom = await packedFromOf(tenantId);
      const packed = addresses.filter((address) => !isStoredNode(address, packedFrom));
      const [found, leaves] = await Promise.all([storedByAddress(tenantId, addresses.filter((address) => isStoredNode(address, packedFrom))), packedLeaves(tenantId, blocksNeeded(packed))]);
      for (const address of packed) {
        const leaf = address.level === 0 ? leaves.get(address.index) : undefined;
        const hash = leaf?.hash ?? subtreeFromLeaves(address, (position) => leaves.get(position)?.hash);
        if (hash) found.set(key(address), { hash, eventId: leaf?.eventId });
      }
      return found;
    },

    /** The leaves (with the event each was sealed for) at positions [from, to). */
    async leaves(tenantId: string, from: number, to: number): Promise<Map<number, StoredLeaf>> {
      const packedFrom = await packedFromOf(tenantId);
      const found = new Map<number, StoredLeaf>();
      if (from < Math.min(to, packedFrom)) {
        const page = await (await documents()).find({ tenantId, level: 0, index: { $gte: from, $lt: Math.min(to, packedFrom) } }).toArray();
        for (const node of page) if ('hash' in node) found.set(node.index, { hash: storedBytes(node.hash), eventId: node.eventId });
      }
      const needed = new Map<number, number>();
      for (let block = blockOf(Math.max(from, packedFrom)); block * BLOCK_LEAVES < to; block++) needed.set(block, to);
      for (const [position, leaf] of await packedLeaves(tenantId, needed)) if (position >= from && position < to) found.set(position, leaf);
      return found;
    },
  };
}
