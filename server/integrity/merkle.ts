import { createHash, hash } from 'node:crypto';

/**
 * The Merkle tree of RFC 9162 §2.1 (the same tree as RFC 6962): SHA-256, leaves and interior nodes
 * domain-separated by a 0x00 / 0x01 prefix, a tree over n leaves split at the largest power of two
 * below n. Pure: no I/O. Proofs are planned as lists of ranges, so a store only has to answer "the
 * hash of the perfect subtree at (level, index)"; an in-memory tree is below for tests and the bench.
 */
export const HASH_BYTES = 32;
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);
export const EMPTY_TREE_HASH = createHash('sha256').digest();

/**
 * One-shot hashes of the prefixed bytes (crypto.hash, Node ≥ 20.12): a Hash object and three
 * updates per node cost about twice as much CPU, and the sealer hashes about one node per event.
 */
export function leafHash(leafBytes: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([LEAF_PREFIX, leafBytes], 1 + leafBytes.length), 'buffer');
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([NODE_PREFIX, left, right], 1 + left.length + right.length), 'buffer');
}

/** The largest power of two strictly below n (n ≥ 2). Numbers, not bigints: 2^53 leaves is enough. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A half-open range of leaf positions [start, end). */
export type LeafRange = { start: number; end: number };
/** The perfect subtree over leaves [index·2^level, (index+1)·2^level). */
export type NodeAddress = { level: number; index: number };

/** MTH(D[n]) over leaf hashes held in memory. */
export function treeHead(leafHashes: readonly Uint8Array[]): Buffer {
  if (leafHashes.length === 0) return EMPTY_TREE_HASH;
  let level: Buffer[] = leafHashes.map((hash) => Buffer.from(hash));
  // Pairing from the left and carrying an odd last node up is exactly the split at the largest power of two.
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

/** The ranges whose hashes make PATH(m, D[n]) (RFC 9162 §2.1.3.1), deepest first. */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new RangeError(`no leaf ${index} in a tree of ${size}`);
  }
  const ranges: LeafRange[] = [];
  let [offset, n, m] = [0, size, index];
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      ranges.push({ start: offset + k, end: offset + n });
      n = k;
    } else {
      ranges.push({ start: offset, end: offset + k });
      [offset, n, m] = [offset + k, n - k, m - k];
    }
  }
  return ranges.reverse();
}

/** The ranges whose hashes make PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 §2.1.4.1). */
export function consistencyProofRanges(first: number, second: number): LeafRange[] {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) {
    throw new RangeError(`no consistency proof from ${first} to ${second}`);
  }
  if (first === 0 || first === second) return [];
  const ranges: LeafRange[] = [];
  let [offset, n, m, whole] = [0, second, first, true];
  while (m !== n) {
    const k = splitPoint(n);
    if (m <= k) {
      ranges.push({ start: offset + k, end: offset + n });
      n = k;
    } else {
      ranges.push({ start: offset, end: offset + k });
      [offset, n, m, whole] = [offset + k, n - k, m - k, false];
    }
  }
  if (!whole) ranges.push({ start: offset, end: offset + n });
  return ranges.reverse();
}

/**
 * The perfect subtrees that make up a range, left to right. Every range a proof plans is one of the
 * tree's own subtrees, so its length's binary digits, largest first, are aligned blocks.
 */
export function rangeNodes({ start, end }: LeafRange): NodeAddress[] {
  const nodes: NodeAddress[] = [];
  let at = start;
  while (at < end) {
    let level = 0;
    while (at % 2 ** (level + 1) === 0 && at + 2 ** (level + 1) <= end) level += 1;
    nodes.push({ level, index: at / 2 ** level });
    at += 2 ** level;
  }
  return nodes;
}

/** The hash of a range from the hashes of its perfect subtrees (as listed by rangeNodes). */
export function foldRange(nodeHashes: readonly Uint8Array[]): Buffer {
  if (nodeHashes.length === 0) throw new RangeError('an empty range has no subtree hash');
  let hash: Buffer = Buffer.from(nodeHashes[nodeHashes.length - 1]!);
  for (let i = nodeHashes.length - 2; i >= 0; i--) hash = nodeHash(nodeHashes[i]!, hash);
  return hash;
}

const isHash = (hash: unknown): hash is Uint8Array => hash instanceof Uint8Array && hash.length === HASH_BYTES;

/** RFC 9162 §2.1.3.2: does `proof` show leaf `index` with `leaf` hash in the tree of `size` with `root`? */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash)) return false;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let [fn, sn] = [index, size - 1];
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
      }
    } else {
      r = nodeHash(r, p);
    }
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: is the tree (`second`, `secondRoot`) an append-only extension of (`first`, `firstRoot`)? */
export function verifyConsistency(first: number, second: number, firstRoot: Uint8Array, secondRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!isHash(firstRoot) || !isHash(secondRoot) || !proof.every(isHash)) return false;
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) return false;
  // Not in the RFC's algorithm (it starts at first ≥ 1): the empty tree is a prefix of every tree.
  if (first === 0) return proof.length === 0 && Buffer.from(firstRoot).equals(EMPTY_TREE_HASH);
  if (first === second) return proof.length === 0 && Buffer.from(firstRoot).equals(secondRoot);
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  if (path.length === 0) return false;
  let [fn, sn] = [first - 1, second - 1];
  while (fn % 2 === 1) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      [fr, sr] = [nodeHash(c, fr), nodeHash(c, sr)];
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
      }
    } else {
      sr = nodeHash(sr, c);
    }
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** Resolves planned ranges to hashes through a lookup of perfect subtrees (a store's, or memory's). */
export function rangeHashes(ranges: readonly LeafRange[], node: (address: NodeAddress) => Uint8Array): Buffer[] {
  return ranges.map((range) => foldRange(rangeNodes(range).map(node)));
}

/**
 * MTH of a tree of `size` leaves whose leaves [from, from + leaves.length) are given and whose other
 * parts come from stored perfect subtrees: how a verifier checks a range of events against a signed
 * root while reading O(range + log n) hashes. `outsideNodes` lists the stored subtrees it needs.
 */
export function outsideNodes(size: number, from: number, to: number): NodeAddress[] {
  const needed: NodeAddress[] = [];
  const walk = (start: number, end: number) => {
    if (end <= from || start >= to) needed.push(...rangeNodes({ start, end }));
    else if (start < from || end > to) {
      const k = splitPoint(end - start);
      walk(start, start + k);
      walk(start + k, end);
    }
  };
  if (size > 0) walk(0, size);
  return needed;
}

export function rootWithLeaves(size: number, from: number, leaves: readonly Buffer[], node: (address: NodeAddress) => Uint8Array): Buffer {
  const to = from + leaves.length;
  const walk = (start: number, end: number): Buffer => {
    if (end <= from || start >= to) return foldRange(rangeNodes({ start, end }).map(node));
    if (start >= from && end <= to) return treeHead(leaves.slice(start - from, end - from));
    const k = splitPoint(end - start);
    return nodeHash(walk(start, start + k), walk(start + k, end));
  };
  return size === 0 ? EMPTY_TREE_HASH : walk(0, size);
}
