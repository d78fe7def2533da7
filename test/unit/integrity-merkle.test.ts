import { createHash } from 'node:crypto';
import { MemoryMerkleTree } from '../../server/integrity/memory-tree';
import { EMPTY_TREE_HASH, leafHash, nodeHash, outsideNodes, rootWithLeaves, treeHead, verifyConsistency, verifyInclusion } from '../../server/integrity/merkle';
import { appendLeaves, EMPTY_FRONTIER, frontierRoot } from '../../server/integrity/merkle-frontier';

/**
 * RFC 6962 / 9162 reference vectors as published by transparency-dev/merkle (testonly/constants.go)
 * and used by certificate-transparency-go: the leaves, the root for each size, and proofs.
 */
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (text: string) => Buffer.from(text, 'hex');
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(unhex);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION = [
  { index: 0, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { index: 5, size: 8, proof: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
];
const CONSISTENCY = [
  { first: 2, second: 8, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { first: 6, second: 8, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { first: 2, second: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];

/** The RFC's definitions written out recursively on arrays: a second implementation to hold ours against. */
const naive = {
  mth(leaves: Buffer[]): Buffer {
    if (leaves.length === 0) return createHash('sha256').digest();
    if (leaves.length === 1) return leaves[0]!;
    const k = 2 ** Math.floor(Math.log2(leaves.length - 1));
    return createHash('sha256').update(Buffer.from([1])).update(naive.mth(leaves.slice(0, k))).update(naive.mth(leaves.slice(k))).digest();
  },
  path(m: number, leaves: Buffer[]): Buffer[] {
    if (leaves.length <= 1) return [];
    const k = 2 ** Math.floor(Math.log2(leaves.length - 1));
    return m < k ? [...naive.path(m, leaves.slice(0, k)), naive.mth(leaves.slice(k))] : [...naive.path(m - k, leaves.slice(k)), naive.mth(leaves.slice(0, k))];
  },
  subproof(m: number, leaves: Buffer[], whole: boolean): Buffer[] {
    if (m === leaves.length) return whole ? [] : [naive.mth(leaves)];
    const k = 2 ** Math.floor(Math.log2(leaves.length - 1));
    return m <= k ? [...naive.subproof(m, leaves.slice(0, k), whole), naive.mth(leaves.slice(k))] : [...naive.subproof(m - k, leaves.slice(k), false), naive.mth(leaves.slice(0, k))];
  },
};

const referenceTree = () => {
  const tree = new MemoryMerkleTree();
  tree.append(LEAVES.map(leafHash));
  return tree;
};

describe('the Merkle tree (RFC 9162 §2.1)', () => {
  it('hashes a leaf as SHA-256(0x00 || bytes) and a node as SHA-256(0x01 || left || right)', () => {
    expect(hex(leafHash(unhex('')))).toBe(ROOTS[1]);
    expect(hex(nodeHash(leafHash(LEAVES[0]!), leafHash(LEAVES[1]!)))).toBe(ROOTS[2]);
    expect(hex(EMPTY_TREE_HASH)).toBe(ROOTS[0]);
  });

  it('hashes as a streamed SHA-256 of the prefix and the bytes did, for bytes of every length to 300 and views into larger buffers', () => {
    const streamed = (...parts: Uint8Array[]) => parts.reduce((hash, part) => hash.update(part), createHash('sha256')).digest('hex');
    const pool = Buffer.from(Array.from({ length: 700 }, (_, i) => (i * 37 + 11) % 256));
    for (let length = 0; length <= 300; length++) {
      const bytes = pool.subarray(length % 5, (length % 5) + length);
      expect(hex(leafHash(bytes))).toBe(streamed(Buffer.from([0]), bytes));
      expect(hex(leafHash(new Uint8Array(bytes)))).toBe(streamed(Buffer.from([0]), bytes));
    }
    for (let at = 0; at < 40; at++) {
      const [left, right] = [pool.subarray(at, at + 32), pool.subarray(at + 300, at + 332)];
      expect(hex(nodeHash(left, right))).toBe(streamed(Buffer.from([1]), left, right));
    }
  });

  it('gives the published tree head for every size from 0 to 8', () => {
    const tree = referenceTree();
    for (let size = 0; size <= 8; size++) {
      expect(hex(treeHead(LEAVES.slice(0, size).map(leafHash)))).toBe(ROOTS[size]);
      expect(hex(tree.root(size))).toBe(ROOTS[size]);
    }
  });

  it('gives the published inclusion proofs, and they verify', () => {
    const tree = referenceTree();
    for (const { index, size, proof } of INCLUSION) {
      expect(tree.inclusionProof(index, size).map(hex)).toEqual(proof);
      expect(verifyInclusion(leafHash(LEAVES[index]!), index, size, proof.map(unhex), unhex(ROOTS[size]!))).toBe(true);
    }
  });

  it('gives the published consistency proofs, and they verify', () => {
    const tree = referenceTree();
    for (const { first, second, proof } of CONSISTENCY) {
      expect(tree.consistencyProof(first, second).map(hex)).toEqual(proof);
      expect(verifyConsistency(first, second, unhex(ROOTS[first]!), unhex(ROOTS[second]!), proof.map(unhex))).toBe(true);
    }
  });

  const many = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
  const manyTree = new MemoryMerkleTree();
  // Appended in uneven batches, as the sealer appends.
  for (let at = 0; at < many.length; at += 1 + (at % 5)) manyTree.append(many.slice(at, at + 1 + (at % 5)));

  it('agrees with the recursive definitions for every size, leaf and pair of sizes up to 40', () => {
    expect(manyTree.size).toBe(40);
    for (let size = 1; size <= 40; size++) {
      const leaves = many.slice(0, size);
      const root = naive.mth(leaves);
      expect(manyTree.root(size).equals(root)).toBe(true);
      for (let index = 0; index < size; index++) {
        const proof = manyTree.inclusionProof(index, size);
        expect(proof.map(hex)).toEqual(naive.path(index, leaves).map(hex));
        expect(verifyInclusion(many[index]!, index, size, proof, root)).toBe(true);
      }
      for (let first = 1; first <= size; first++) {
        const proof = manyTree.consistencyProof(first, size);
        expect(proof.map(hex)).toEqual(naive.subproof(first, leaves, true).map(hex));
        expect(verifyConsistency(first, size, naive.mth(many.slice(0, first)), root, proof)).toBe(true);
      }
    }
  });

  it('refuses an inclusion proof with a changed hash, a wrong index or size, a missing or extra step', () => {
    for (const size of [2, 3, 7, 8, 33, 40]) {
      const root = manyTree.root(size);
      for (let index = 0; index < size; index++) {
        const proof = manyTree.inclusionProof(index, size);
        const flipped = proof.map((hash, i) => (i === proof.length - 1 ? Buffer.from(hash.map((byte, j) => (j === 0 ? byte ^ 1 : byte))) : hash));
        expect(verifyInclusion(many[index]!, index, size, flipped, root)).toBe(false);
        expect(verifyInclusion(many[index]!, index, size, proof.slice(0, -1), root)).toBe(false);
        expect(verifyInclusion(many[index]!, index, size, [...proof, root], root)).toBe(false);
        expect(verifyInclusion(many[index]!, index + 1, size, proof, root)).toBe(false);
        expect(verifyInclusion(many[(index + 1) % size]!, index, size, proof, root)).toBe(false);
        if (index > 0) expect(verifyInclusion(many[index]!, index - 1, size, proof, root)).toBe(false);
      }
    }
  });

  it('refuses a consistency proof with a changed hash, a missing step, or roots that are not its own', () => {
    for (const second of [3, 8, 9, 33, 40]) {
      for (let first = 1; first < second; first++) {
        const [a, b] = [manyTree.root(first), manyTree.root(second)];
        const proof = manyTree.consistencyProof(first, second);
        const flipped = proof.map((hash, i) => (i === 0 ? Buffer.from(hash.map((byte, j) => (j === 3 ? byte ^ 0x80 : byte))) : hash));
        expect(verifyConsistency(first, second, a, b, flipped)).toBe(false);
        expect(verifyConsistency(first, second, a, b, proof.slice(0, -1))).toBe(false);
        expect(verifyConsistency(first, second, manyTree.root(first + 1), b, proof)).toBe(false);
        expect(verifyConsistency(first, second, a, manyTree.root(second - 1), proof)).toBe(false);
      }
    }
    expect(verifyConsistency(0, 5, EMPTY_TREE_HASH, manyTree.root(5), [])).toBe(true);
    expect(verifyConsistency(4, 4, manyTree.root(4), manyTree.root(4), [])).toBe(true);
    expect(verifyConsistency(4, 4, manyTree.root(4), manyTree.root(5), [])).toBe(false);
    expect(verifyConsistency(5, 4, manyTree.root(5), manyTree.root(4), [])).toBe(false);
  });

  it('keeps the same head whether leaves are appended one by one or in batches', () => {
    let oneByOne = EMPTY_FRONTIER;
    for (const leaf of many) oneByOne = appendLeaves(oneByOne, [leaf]).frontier;
    const batched = appendLeaves(appendLeaves(EMPTY_FRONTIER, many.slice(0, 37)).frontier, many.slice(37)).frontier;
    expect(frontierRoot(oneByOne).equals(naive.mth(many))).toBe(true);
    expect(frontierRoot(batched).equals(naive.mth(many))).toBe(true);
    expect(appendLeaves(EMPTY_FRONTIER, many).completed).toHaveLength(40 + 20 + 10 + 5 + 2 + 1);
  });
});

describe('checking a range of leaves against a root', () => {
  const leaves = Array.from({ length: 23 }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
  const tree = new MemoryMerkleTree();
  tree.append(leaves);

  it('recomputes the root from a range of leaves and the stored subtrees around it, for every range', () => {
    for (let from = 0; from < 23; from++) {
      for (let to = from + 1; to <= 23; to++) {
        const outside = outsideNodes(23, from, to);
        const lookup = new Map(outside.map((address) => [`${address.level}|${address.index}`, tree.node(address)]));
        const node = (address: { level: number; index: number }) => lookup.get(`${address.level}|${address.index}`)!;
        expect(rootWithLeaves(23, from, leaves.slice(from, to), node).equals(tree.root())).toBe(true);
        const changed = leaves.slice(from, to).map((hash, i) => (i === 0 ? leafHash(Buffer.from('forged')) : hash));
        expect(rootWithLeaves(23, from, changed, node).equals(tree.root())).toBe(false);
        expect(outside.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(23)));
      }
    }
  });
});
