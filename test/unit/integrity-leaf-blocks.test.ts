import { BLOCK_LEAVES, BLOCK_LEVEL, blocksNeeded, isStoredNode, leafRuns, packingStart, storedNodes, subtreeFromLeaves } from '../../server/integrity/leaf-blocks';
import { leafHash } from '../../server/integrity/merkle';
import { appendLeaves, EMPTY_FRONTIER } from '../../server/integrity/merkle-frontier';
import { MemoryMerkleTree } from '../../server/integrity/memory-tree';

const leaves = (from: number, count: number) => Array.from({ length: count }, (_, i) => leafHash(Buffer.from(`event ${from + i}`)));

describe('the packed tree layout (leaf-blocks.ts)', () => {
  it('cuts a batch into runs at block boundaries, from packedFrom on', () => {
    const ids = Array.from({ length: 600 }, (_, i) => 200 + i);
    const runs = leafRuns(200, ids, leaves(200, 600), 0);
    expect(runs.map((run) => [run.from, run.from + run.leaves.length, run.ids[0]])).toEqual([[200, 256, 200], [256, 512, 256], [512, 768, 512], [768, 800, 768]]);
    expect(leafRuns(200, ids, leaves(200, 600), 512).map((run) => run.from)).toEqual([512, 768]);
  });

  it('stores nodes from the block level up, and every node wholly before packedFrom', () => {
    const { completed } = appendLeaves(EMPTY_FRONTIER, leaves(0, 1_024));
    expect(storedNodes(completed, 0).map((node) => node.level).sort((a, b) => a - b)).toEqual([8, 8, 8, 8, 9, 9, 10]);
    expect(storedNodes(completed, 512).filter((node) => node.level < BLOCK_LEVEL)).toHaveLength(512 + 256 + 128 + 64 + 32 + 16 + 8 + 4); // levels 0–7 over leaves 0–511
    expect(isStoredNode({ level: 3, index: 63 }, 512)).toBe(true); // leaves 504–511
    expect(isStoredNode({ level: 3, index: 64 }, 512)).toBe(false);
    expect(packingStart(300)).toBe(512);
    expect(packingStart(512)).toBe(512);
  });

  it('hashes a node below the block level from its leaves as the stored tree has it', () => {
    const all = leaves(0, 700);
    const tree = new MemoryMerkleTree();
    tree.append(all);
    for (const address of [{ level: 0, index: 5 }, { level: 4, index: 3 }, { level: 7, index: 4 }, { level: 5, index: 20 }]) {
      expect(subtreeFromLeaves(address, (position) => all[position])).toEqual(tree.node(address));
    }
    expect(subtreeFromLeaves({ level: 7, index: 5 }, (position) => all[position])).toBeUndefined(); // leaves 640–767: only 700 known
    expect(blocksNeeded([{ level: 2, index: 1 }, { level: 0, index: 300 }, { level: 1, index: 2 }])).toEqual(new Map([[0, 8], [1, 301]]));
    expect(BLOCK_LEAVES).toBe(256);
  });
});
