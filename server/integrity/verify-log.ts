import type { ObjectId } from 'mongodb';
import { verifyCheckpoint, type TCheckpoint } from './checkpoint';
import type { IntegrityRepository } from './integrity.repository';
import { consistencyProofRanges, outsideNodes, rangeHashes, rangeNodes, rootWithLeaves, verifyConsistency, type NodeAddress } from './merkle';
import { eventLeafHash } from './sealer';
import type { TPublicKey, VerifierKey } from './signing-keys';
import type { TVerifyFailure, TVerifyInput, TVerifyReport } from './verify.schema';

type SealedEvent = { _id: ObjectId; receivedAt: Date; integrity?: { position: number } };
/** What the verifier reads of stored events; the events slice implements it. */
export interface VerifiableEvents {
  sealedRange(tenantId: string, from: number, to: number): Promise<SealedEvent[]>;
  countUnsealedBefore(tenantId: string, before: Date): Promise<number>;
}
export type KnownKeys = ReadonlyArray<Pick<TPublicKey, 'keyId' | 'validFrom' | 'validUntil'> & { key: VerifierKey }>;

export interface VerifyDeps {
  events: VerifiableEvents;
  store: IntegrityRepository;
  keys: KnownKeys;
  lagBoundMs: number;
  clock?: () => Date;
}

// Events are read a page at a time; on FerretDB v1 each page is a scan of the collection, so pages are large.
const PAGE = 20_000;
const key = ({ level, index }: NodeAddress) => `${level}|${index}`;

/**
 * Verifies a tenant's live log: every stored checkpoint's signature, each one's consistency with the
 * next (and with a checkpoint kept outside the database), then the events of a range of positions
 * recomputed from what is stored against the signed root. The first thing that does not verify is
 * named, with its kind; docs/INTEGRITY.md says how each kind is told apart.
 */
export async function verifyLog(deps: VerifyDeps, tenantId: string, input: TVerifyInput = {}): Promise<TVerifyReport> {
  const report: TVerifyReport = { ok: false, tenantId, checkpoint: null, range: { from: 0, to: 0 }, eventsChecked: 0, checkpointsChecked: 0, failure: null, warnings: [] };
  const fail = (failure: TVerifyFailure) => ({ ...report, failure });
  const stored = await deps.store.checkpoints(tenantId);
  for (const checkpoint of stored) {
    const verdict = verifyCheckpoint(checkpoint.note, deps.keys, checkpoint);
    if (!verdict.ok) return fail({ kind: 'bad_signature', checkpointSize: checkpoint.size, detail: `checkpoint at size ${checkpoint.size}: ${verdict.detail}` });
    report.checkpointsChecked++;
  }
  const chain = [...stored];
  let target: TCheckpoint | undefined = stored.at(-1);
  if (input.trustedCheckpoint !== undefined) {
    const verdict = verifyCheckpoint(input.trustedCheckpoint, deps.keys);
    if (!verdict.ok) return fail({ kind: 'bad_signature', detail: `the trusted checkpoint: ${verdict.detail}` });
    if (verdict.fields.tenantId !== tenantId) return fail({ kind: 'bad_signature', detail: `the trusted checkpoint is of tenant ${verdict.fields.tenantId}` });
    const trusted = { ...verdict.fields, keyId: verdict.keyId, note: input.trustedCheckpoint };
    chain.push(trusted);
    chain.sort((a, b) => a.size - b.size);
    // Checkpoints deleted from the database do not make the log unverifiable: the kept one is the target then.
    if (!target || target.size < trusted.size) target = trusted;
  }
  const inconsistent = await firstInconsistency(deps.store, tenantId, chain);
  if (inconsistent) return fail(inconsistent);
  if (!target) return { ...report, ok: true, warnings: ['no checkpoint yet: nothing signed to verify against'] };
  report.checkpoint = { size: target.size, rootHash: target.rootHash, time: target.time, keyId: target.keyId };
  const state = await deps.store.state(tenantId);
  if (!state || state.size < target.size) {
    const position = state?.size ?? 0;
    return fail({ kind: 'truncated', position, checkpointSize: target.size, detail: `the log holds ${position} events; a checkpoint of ${target.size} was signed` });
  }

  const from = Math.min(input.from ?? 0, target.size);
  const to = Math.min(input.to ?? target.size, target.size);
  report.range = { from, to };
  const failure = await checkRange(deps, tenantId, target, from, to, report);
  const lagging = await deps.events.countUnsealedBefore(tenantId, new Date((deps.clock ?? (() => new Date()))().getTime() - 3 * deps.lagBoundMs));
  if (lagging > 0) report.warnings.push(`${lagging} events stored more than ${3 * deps.lagBoundMs} ms ago are not sealed yet (is a sealer running?)`);
  return failure ? fail(failure) : { ...report, ok: true };
}

/** Each checkpoint's root recomputed from the stored tree, and each consecutive pair proven consistent. */
async function firstInconsistency(store: IntegrityRepository, tenantId: string, chain: TCheckpoint[]): Promise<TVerifyFailure | null> {
  // Every pair's nodes in one read: below level 8 a node is hashed from its block's leaves, and the
  // pairs of a slow log share blocks (read once, not once per checkpoint).
  const pairs = chain.slice(1).map((newer, i) => {
    const older = chain[i]!;
    return { older, newer, ranges: older.size === newer.size ? [] : consistencyProofRanges(older.size, newer.size) };
  });
  const nodes = await store.nodes(tenantId, pairs.flatMap(({ ranges }) => ranges.flatMap(rangeNodes)));
  for (const { older, newer, ranges } of pairs) {
    if (older.size === newer.size) {
      if (older.rootHash !== newer.rootHash) return { kind: 'inconsistent', checkpointSize: newer.size, detail: `two signed checkpoints of size ${newer.size} with different roots` };
      continue;
    }
    const missing = ranges.flatMap(rangeNodes).find((address) => !nodes.has(key(address)));
    const proof = missing ? [] : rangeHashes(ranges, (address) => nodes.get(key(address))!.hash);
    if (missing || !verifyConsistency(older.size, newer.size, Buffer.from(older.rootHash, 'base64'), Buffer.from(newer.rootHash, 'base64'), proof)) {
      return { kind: 'inconsistent', checkpointSize: newer.size, detail: `the log at checkpoint ${newer.size} is not an extension of checkpoint ${older.size} (signed ${older.time.toISOString()}): history before it was rewritten` };
    }
  }
  return null;
}

async function checkRange(deps: VerifyDeps, tenantId: string, target: TCheckpoint, from: number, to: number, report: TVerifyReport): Promise<TVerifyFailure | null> {
  if (from === to) return null;
  const byPosition = new Map<number, SealedEvent[]>();
  const recomputed: Buffer[] = [];
  for (let at = from; at < to; at += PAGE) {
    for (const event of await deps.events.sealedRange(tenantId, at, Math.min(at + PAGE, to))) {
      const position = event.integrity!.position;
      byPosition.set(position, [...(byPosition.get(position) ?? []), event]);
    }
  }
  for (let position = from; position < to; position++) {
    const only = byPosition.get(position)?.[0];
    recomputed.push(only ? eventLeafHash(only) : Buffer.alloc(32));
  }
  report.eventsChecked = to - from;
  const outside = await deps.store.nodes(tenantId, outsideNodes(target.size, from, to));
  const node = (address: NodeAddress) => outside.get(key(address))?.hash ?? Buffer.alloc(32);
  const root = Buffer.from(target.rootHash, 'base64');
  const twins = [...byPosition.values()].some((events) => events.length > 1);
  if (!twins && rootWithLeaves(target.size, from, recomputed, node).equals(root)) return null;

  const sealed = await deps.store.leaves(tenantId, from, to);
  const sealedHashes = Array.from({ length: to - from }, (_, i) => sealed.get(from + i)?.hash ?? Buffer.alloc(32));
  const sealedAuthentic = rootWithLeaves(target.size, from, sealedHashes, node).equals(root);
  const positionOfLeaf = new Map(sealedHashes.map((hash, i) => [hash.toString('hex'), from + i]));
  for (let position = from; position < to; position++) {
    const events = byPosition.get(position) ?? [];
    const authentic = sealedHashes[position - from]!;
    const sealedId = sealed.get(position)?.eventId?.toHexString();
    if (events.length === 0) {
      const tail = Array.from({ length: to - position }, (_, i) => byPosition.has(position + i)).every((present) => !present);
      if (tail && to === target.size) return { kind: 'truncated', position, eventId: sealedId, detail: `the events from position ${position} to ${to - 1} are gone: the log was cut` };
      return { kind: 'missing', position, eventId: sealedId, detail: `no event holds position ${position}${sealedId ? ` (sealed: ${sealedId})` : ''}: deleted` };
    }
    const hashes = events.map(eventLeafHash);
    if (events.length > 1) {
      const forged = events.find((_, i) => !hashes[i]!.equals(authentic)) ?? events[1]!;
      return { kind: 'inserted', position, eventId: forged._id.toHexString(), detail: `${events.length} events claim position ${position}; ${forged._id.toHexString()} is not the one sealed` };
    }
    const [event, hash] = [events[0]!, hashes[0]!];
    if (sealedAuthentic && hash.equals(authentic)) continue;
    if (!sealedAuthentic && hash.equals(authentic) && event._id.toHexString() === sealedId) continue;
    const id = event._id.toHexString();
    const elsewhere = positionOfLeaf.get(hash.toString('hex'));
    if (sealedAuthentic && elsewhere !== undefined && elsewhere !== position) {
      return { kind: 'reordered', position, eventId: id, detail: `the event at position ${position} is the one sealed at position ${elsewhere}: events were moved` };
    }
    if (sealedId !== undefined && id !== sealedId) return { kind: 'inserted', position, eventId: id, detail: `position ${position} holds ${id}, which was never sealed there (sealed: ${sealedId})` };
    return { kind: 'changed', position, eventId: id, detail: `event ${id} at position ${position} no longer hashes to what was sealed: its stored content was edited` };
  }
  return {
    kind: 'changed',
    position: from,
    detail: `positions ${from}–${to - 1} do not hash to checkpoint ${target.size}'s root, and the stored tree was rewritten with them: the events were edited and the tree recomputed`,
  };
}
