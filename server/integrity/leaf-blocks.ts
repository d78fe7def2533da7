import type { CompletedNode } from './merkle-frontier';
import { treeHead, type NodeAddress } from './merkle';

/**
 * How the stored tree is laid out below BLOCK_LEVEL. Stored one document per node, a tree costs
 * about 2 documents per event (a leaf and an interior node), and on FerretDB v1 an insert's cost is
 * per document: that was two thirds of what sealing inserted. So from a log's `packedFrom` position
 * on, nodes below BLOCK_LEVEL are not stored: each sealer batch stores its leaves (and their event
 * ids) as runs, one per block of BLOCK_LEAVES positions it touches, and a node below BLOCK_LEVEL is
 * hashed on read from its block's leaves. Nodes at BLOCK_LEVEL and above are stored as before (~n/128
 * documents). Before `packedFrom` (a log sealed by an earlier version) every node is stored.
 */
export const BLOCK_LEVEL = 8;
export const BLOCK_LEAVES = 2 ** BLOCK_LEVEL;

/** Leaves at consecutive positions [from, from + leaves.length), within one block. */
export type LeafRun<Id> = { from: number; ids: Id[]; leaves: Buffer[] };

/** Where packing starts for a log first sealed by this version at `size`: the next block boundary (a block is never half stored, half packed). */
export const packingStart = (size: number): number => Math.ceil(size / BLOCK_LEAVES) * BLOCK_LEAVES;

const firstLeaf = ({ level, index }: NodeAddress): number => index * 2 ** level;
const endLeaf = ({ level, index }: NodeAddress): number => (index + 1) * 2 ** level;

/** Stored as a document of its own: at BLOCK_LEVEL or above, or wholly before `packedFrom`. */
export const isStoredNode = (address: NodeAddress, packedFrom: number): boolean => address.level >= BLOCK_LEVEL || endLeaf(address) <= packedFrom;

export const blockOf = (position: number): number => Math.floor(position / BLOCK_LEAVES);

/** A batch's leaves from `from` on, cut at block boundaries; only positions at or after `packedFrom`. */
export function leafRuns<Id>(from: number, ids: readonly Id[], leaves: readonly Buffer[], packedFrom: number): LeafRun<Id>[] {
  const runs: LeafRun<Id>[] = [];
  let at = Math.max(from, packedFrom);
  const end = from + leaves.length;
  while (at < end) {
    const stop = Math.min(end, (blockOf(at) + 1) * BLOCK_LEAVES);
    runs.push({ from: at, ids: ids.slice(at - from, stop - from), leaves: leaves.slice(at - from, stop - from) });
    at = stop;
  }
  return runs;
}

/** The completed nodes a batch stores as documents (the others are in its leaf runs). */
export const storedNodes = (completed: readonly CompletedNode[], packedFrom: number): CompletedNode[] => completed.filter((node) => isStoredNode(node, packedFrom));

/** The hash of a perfect subtree below BLOCK_LEVEL from its leaves; undefined when one is not known. */
export function subtreeFromLeaves(address: NodeAddress, leafAt: (position: number) => Buffer | undefined): Buffer | undefined {
  const leaves: Buffer[] = [];
  for (let position = firstLeaf(address); position < endLeaf(address); position++) {
    const leaf = leafAt(position);
    if (!leaf) return undefined;
    leaves.push(leaf);
  }
  return treeHead(leaves);
}

/** The furthest leaf (exclusive) each block is needed to, for these addresses hashed from leaves. */
export function blocksNeeded(addresses: readonly NodeAddress[]): Map<number, number> {
  const needed = new Map<number, number>();
  for (const address of addresses) {
    const block = blockOf(firstLeaf(address));
    needed.set(block, Math.max(needed.get(block) ?? 0, endLeaf(address)));
  }
  return needed;
}
