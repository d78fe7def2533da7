import { appendLeaves, EMPTY_FRONTIER, frontierRoot, type Frontier } from './merkle-frontier';
import { consistencyProofRanges, foldRange, inclusionProofRanges, rangeHashes, rangeNodes, type NodeAddress } from './merkle';

/**
 * A tree held in memory, built the way the sealer builds the stored one (append, keep every completed
 * node): for the offline verifier and the bench (a million leaves is 64 MB of hashes).
 */
export class MemoryMerkleTree {
  private readonly levels: Buffer[][] = [];
  private frontier: Frontier = EMPTY_FRONTIER;

  get size(): number {
    return this.frontier.size;
  }

  append(leafHashes: readonly Buffer[]): void {
    const { frontier, completed } = appendLeaves(this.frontier, leafHashes);
    for (const node of completed) (this.levels[node.level] ??= [])[node.index] = node.hash;
    this.frontier = frontier;
  }

  node({ level, index }: NodeAddress): Buffer {
    const hash = this.levels[level]?.[index];
    if (!hash) throw new RangeError(`no node at level ${level}, index ${index}`);
    return hash;
  }

  root(size = this.size): Buffer {
    if (size === this.size) return frontierRoot(this.frontier);
    return size === 0 ? frontierRoot(EMPTY_FRONTIER) : foldRange(rangeNodes({ start: 0, end: size }).map((address) => this.node(address)));
  }

  inclusionProof(index: number, size = this.size): Buffer[] {
    return rangeHashes(inclusionProofRanges(index, size), (address) => this.node(address));
  }

  consistencyProof(first: number, second = this.size): Buffer[] {
    return rangeHashes(consistencyProofRanges(first, second), (address) => this.node(address));
  }
}
