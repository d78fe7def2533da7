import { EMPTY_TREE_HASH, foldRange, nodeHash, type NodeAddress } from './merkle';

/**
 * The right edge of a tree of `size` leaves: the roots of its perfect subtrees, largest first (one
 * per set bit of `size`, at most 53). It is all a sealer needs to append leaves and to compute the
 * tree head, so it is what the sealer keeps between batches; every node an append completes is
 * handed back to be stored, which is what makes any later proof O(log n) reads.
 */
export type Frontier = { size: number; hashes: Buffer[] };
export type CompletedNode = NodeAddress & { hash: Buffer };

export const EMPTY_FRONTIER: Frontier = { size: 0, hashes: [] };

/** The levels of the frontier's subtrees, largest first: the set bits of `size`. */
export function frontierLevels(size: number): number[] {
  const levels: number[] = [];
  for (let level = 52; level >= 0; level--) if (Math.floor(size / 2 ** level) % 2 === 1) levels.push(level);
  return levels;
}

/** Appends leaf hashes; returns the new frontier and every node completed on the way (leaves included). */
export function appendLeaves(frontier: Frontier, leafHashes: readonly Buffer[]): { frontier: Frontier; completed: CompletedNode[] } {
  const levels = frontierLevels(frontier.size);
  if (levels.length !== frontier.hashes.length) throw new RangeError(`a frontier of ${frontier.size} leaves holds ${levels.length} hashes, not ${frontier.hashes.length}`);
  const stack = frontier.hashes.map((hash, i) => ({ level: levels[i]!, hash }));
  const completed: CompletedNode[] = [];
  let size = frontier.size;
  for (const leaf of leafHashes) {
    let node = { level: 0, hash: leaf };
    completed.push({ level: 0, index: size, hash: leaf });
    const end = size + 1;
    while (stack.length > 0 && stack[stack.length - 1]!.level === node.level) {
      const left = stack.pop()!;
      node = { level: node.level + 1, hash: nodeHash(left.hash, node.hash) };
      completed.push({ level: node.level, index: end / 2 ** node.level - 1, hash: node.hash });
    }
    stack.push(node);
    size = end;
  }
  return { frontier: { size, hashes: stack.map((entry) => entry.hash) }, completed };
}

/** MTH of the whole tree the frontier describes. */
export function frontierRoot(frontier: Frontier): Buffer {
  return frontier.size === 0 ? EMPTY_TREE_HASH : foldRange(frontier.hashes);
}
