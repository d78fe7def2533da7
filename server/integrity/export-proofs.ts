import type { ObjectId } from 'mongodb';
import type { EventDocument } from '../events';
import type { ExportDocument, ExportIntegrity, ExportProof } from '../exports';
import type { TCheckpoint } from './checkpoint';
import { exportLeafOf, exportValuesOf, EVENT_LEAF_CODEC } from './event-leaf-codec';
import { exportLine } from './export-lines';
import { signExportManifest, type TExportManifest } from './export-manifest';
import { inclusionProofRanges, leafHash, rangeHashes, rangeNodes, type NodeAddress } from './merkle';
import type { SigningKey } from './signing-keys';

/** What export proofs read of the stored tree and the sealer (integrity.repository.ts, sealer.ts). */
export interface ExportProofDeps {
  nodes(tenantId: string, addresses: NodeAddress[]): Promise<Map<string, { hash: Buffer }>>;
  logSize(tenantId: string): Promise<number>;
  latestCheckpoint(tenantId: string): Promise<TCheckpoint | null>;
  /** The log positions of these events (the sealed ones), by id (hex): seals are kept apart from events. */
  positions(tenantId: string, ids: ObjectId[]): Promise<Map<string, number>>;
  /** When the tenant's oldest unsealed event was stored, or null when every event is sealed. */
  oldestUnsealed(tenantId: string): Promise<Date | null>;
  /** Seals what is unsealed and signs a checkpoint of the tree now, if this process can. */
  checkpointNow(tenantId: string): Promise<TCheckpoint | null>;
  signer: SigningKey;
  clock: () => Date;
  pollMs?: number;
}

/** Positions are looked up in pages of this many events (one query each). */
const LOOKUP_PAGE = 1_000;

/**
 * The export side of the log: an attempt first waits until every event it covers (received up to
 * the request) is sealed and in a signed checkpoint, then proves its rows in that checkpoint's tree.
 * An event the checkpoint does not hold, or whose hashed part is not the leaf the tree holds at its
 * position, fails the export: a manifest never vouches for what the log cannot prove.
 */
export function createExportProofs(deps: ExportProofDeps): ExportIntegrity {
  const pollMs = deps.pollMs ?? 500;

  async function coveringCheckpoint(tenantId: string, requestedAt: Date, signal: AbortSignal): Promise<TCheckpoint | null> {
    for (;;) {
      const oldest = await deps.oldestUnsealed(tenantId);
      if (!oldest || oldest > requestedAt) {
        const size = await deps.logSize(tenantId);
        if (size === 0) return null;
        const latest = await deps.latestCheckpoint(tenantId);
        if (latest && latest.size >= size) return latest;
        const made = await deps.checkpointNow(tenantId);
        if (made && made.size >= size) return made;
      } else await deps.checkpointNow(tenantId);
      if (signal.aborted) throw new Error('the events of this export were not sealed into a checkpoint in time; it will be tried again');
      await new Promise((done) => setTimeout(done, pollMs));
    }
  }

  return {
    async begin(record: ExportDocument, signal: AbortSignal): Promise<ExportProof> {
      const { tenantId } = record;
      const checkpoint = await coveringCheckpoint(tenantId, record.requestedAt, signal);
      const size = checkpoint?.size ?? 0;
      const seen = { first: Number.POSITIVE_INFINITY, last: -1, count: 0 };
      const positionsOf = async (ids: readonly ObjectId[]): Promise<Map<string, number>> => {
        const found = new Map<string, number>();
        for (let at = 0; at < ids.length; at += LOOKUP_PAGE) {
          for (const [id, position] of await deps.positions(tenantId, ids.slice(at, at + LOOKUP_PAGE))) found.set(id, position);
        }
        return found;
      };
      const inTree = (positions: Map<string, number>, id: ObjectId): number => {
        const position = positions.get(id.toHexString());
        if (position === undefined || position >= size) throw new Error(`event ${id.toHexString()} is not in the log's checkpoint of ${size} events`);
        return position;
      };
      const count = async (ids: readonly ObjectId[]): Promise<void> => {
        const positions = await positionsOf(ids);
        for (const id of ids) {
          const position = inTree(positions, id);
          seen.first = Math.min(seen.first, position);
          seen.last = Math.max(seen.last, position);
          seen.count++;
        }
      };
      // Rows are observed as they are written (synchronously); their positions are looked up a page
      // at a time behind them, and the manifest waits for the last page.
      let observed: ObjectId[] = [];
      let counted: Promise<void> = Promise.resolve();
      const countObserved = () => {
        const page = observed;
        observed = [];
        counted = counted.then(() => count(page));
        counted.catch(() => undefined); // surfaced by manifest()
      };

      return {
        observe(event) {
          observed.push(event._id);
          if (observed.length >= LOOKUP_PAGE) countObserved();
        },

        async lines(events) {
          const positions = await positionsOf(events.map((event) => event._id));
          const planned = events.map((event) => {
            const position = inTree(positions, event._id);
            return { event, position, ranges: inclusionProofRanges(position, size) };
          });
          const addresses = planned.flatMap(({ position, ranges }) => [{ level: 0, index: position }, ...ranges.flatMap(rangeNodes)]);
          const nodes = await deps.nodes(tenantId, addresses);
          const nodeAt = ({ level, index }: NodeAddress) => {
            const node = nodes.get(`${level}|${index}`);
            if (!node) throw new Error(`the log has no node at level ${level}, index ${index}: it is damaged`);
            return node.hash;
          };
          return planned.map(({ event, position, ranges }) => {
            const leaf = exportLeafOf(event);
            if (!leafHash(EVENT_LEAF_CODEC.bytes(leaf)).equals(nodeAt({ level: 0, index: position }))) {
              throw new Error(`event ${event._id.toHexString()} is not the one the log holds at position ${position}: it was changed`);
            }
            return exportLine(position, leaf, rangeHashes(ranges, nodeAt), exportValuesOf(event, leaf));
          });
        },

        async manifest(file) {
          countObserved();
          await counted;
          const manifest: TExportManifest = {
            version: 1,
            exportId: record._id.toHexString(),
            tenantId,
            format: record.format,
            filters: JSON.parse(JSON.stringify(record.filters)) as Record<string, unknown>,
            requestedAt: record.requestedAt.toISOString(),
            signedAt: deps.clock().toISOString(),
            file: { name: file.fileName, bytes: file.bytes, sha256: file.sha256, rows: file.rows },
            positions: seen.count === 0 ? null : { first: seen.first, last: seen.last, count: seen.count },
            checkpoint: checkpoint?.note ?? null,
            proofs: record.format === 'ndjson' ? 'per_line' : 'none',
          };
          return signExportManifest(manifest, deps.signer);
        },
      };
    },
  };
}

/** The export proofs of this process's integrity slice; undefined when it does not sign (no signing key). */
export function exportProofsOf(
  integrity: { signer?: SigningKey; store: Pick<ExportProofDeps, 'nodes' | 'latestCheckpoint'> & { state(tenantId: string): Promise<{ size: number } | null> }; sealer: Pick<ExportProofDeps, 'checkpointNow'> },
  seals: Pick<ExportProofDeps, 'positions'> & { unsealed(tenantId: string, limit: number): Promise<Array<{ receivedAt: Date }>> },
  clock: () => Date,
): ExportIntegrity | undefined {
  const { signer, store, sealer } = integrity;
  if (!signer) return undefined;
  return createExportProofs({
    nodes: (tenantId, addresses) => store.nodes(tenantId, addresses),
    logSize: async (tenantId) => (await store.state(tenantId))?.size ?? 0,
    latestCheckpoint: (tenantId) => store.latestCheckpoint(tenantId),
    positions: (tenantId, ids) => seals.positions(tenantId, ids),
    oldestUnsealed: async (tenantId) => (await seals.unsealed(tenantId, 1))[0]?.receivedAt ?? null,
    checkpointNow: (tenantId) => sealer.checkpointNow(tenantId),
    signer,
    clock,
  });
}
