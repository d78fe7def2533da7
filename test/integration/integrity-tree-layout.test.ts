import { ObjectId, type Collection, type Document } from 'mongodb';
import { createEventSealsRepository, EVENT_SEALS_COLLECTION } from '../../server/events';
import { appendLeaves, eventLeafHash, generateSigningKey, LOGS_COLLECTION, MemoryMerkleTree, NODES_COLLECTION, verifyConsistency, verifyInclusion, type TCheckpoint } from '../../server/integrity';
import { BLOCK_LEVEL } from '../../server/integrity/leaf-blocks';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { admin, makeEvent } from '../helpers/test-events';

/**
 * The stored tree's layout (leaf-blocks.ts): nodes below BLOCK_LEVEL hashed on read from leaf runs,
 * over logs of several blocks sealed in uneven batches, and a log written in the earlier layout
 * (every node a document, level-0 nodes with their event's id) that keeps verifying and proving,
 * and goes on growing in the new one.
 */
const KEY = generateSigningKey('layout-2026');
let stack: AuditStack;
let raw: { events: Collection<Document>; seals: Collection<Document>; nodes: Collection<Document>; logs: Collection<Document> };

beforeAll(async () => {
  stack = await startAuditStack('integrity-tree-layout', { integrity: { signingKey: KEY.signerKey, seal: false } });
  const db = stack.mongo.connection.db!;
  raw = { events: db.collection(stack.events.collectionName), seals: db.collection(EVENT_SEALS_COLLECTION), nodes: db.collection(NODES_COLLECTION), logs: db.collection(LOGS_COLLECTION) };
}, 120_000);
afterAll(async () => stack?.close());

const decode = (hashes: string[]) => hashes.map((hash) => Buffer.from(hash, 'base64'));
const verify = (tenantId: string, input?: { from?: number; to?: number }) => stack.client(admin(tenantId)).auditLog.integrity.verify.query(input);
let clock = Date.parse('2026-11-01T10:00:00Z');

/** `count` more events of the tenant, stored unsealed; their ids in the order the sealer takes them. */
async function seed(tenantId: string, count: number): Promise<string[]> {
  const events = Array.from({ length: count }, (_, i) => makeEvent({ tenantId, occurredAt: new Date((clock += 1_000)), description: `Event ${i}` }));
  await stack.seed(events);
  return events.map((event) => event.id);
}

/** Seals what is unsealed and signs a checkpoint of the tree. */
const checkpointNow = async (tenantId: string): Promise<TCheckpoint> => (await stack.services.integrity.sealer.checkpointNow(tenantId))!;

async function expectProofs(tenantId: string, ids: string[], positions: number[], consistencyFrom?: number): Promise<void> {
  const client = stack.client(admin(tenantId));
  for (const position of positions) {
    const proof = await client.auditLog.integrity.inclusionProof.query({ eventId: ids[position]! });
    expect({ position: proof.position, verified: verifyInclusion(Buffer.from(proof.leafHash, 'base64'), proof.position, proof.checkpoint.size, decode(proof.proof), Buffer.from(proof.checkpoint.rootHash, 'base64')) }).toEqual({ position, verified: true });
  }
  if (consistencyFrom === undefined) return;
  const to = (await client.auditLog.integrity.latestCheckpoint.query())!.size;
  const consistency = await client.auditLog.integrity.consistencyProof.query({ from: consistencyFrom, to });
  expect(verifyConsistency(consistencyFrom, to, Buffer.from(consistency.from!.rootHash, 'base64'), Buffer.from(consistency.to.rootHash, 'base64'), decode(consistency.proof))).toBe(true);
}

/** The tree over the tenant's events in log order, computed in memory from the events as stored. */
async function memoryRoot(tenantId: string, ids: string[]): Promise<string> {
  const stored = new Map((await raw.events.find({ tenantId }).toArray()).map((event) => [event._id.toHexString(), event]));
  const tree = new MemoryMerkleTree();
  tree.append(ids.map((id) => eventLeafHash(stored.get(id)!)));
  return tree.root().toString('base64');
}

it('stores no node below the block level, and proves and verifies a log of several blocks sealed in uneven batches', async () => {
  const tenantId = 'layout-packed';
  const ids: string[] = [];
  let first: TCheckpoint | undefined;
  for (const count of [100, 250, 1, 349]) {
    ids.push(...(await seed(tenantId, count)));
    if (first) await stack.services.integrity.sealer.sealAll({ tenants: [tenantId] });
    else first = await checkpointNow(tenantId);
  }
  const checkpoint = await checkpointNow(tenantId);
  expect(checkpoint).toMatchObject({ size: 700, rootHash: await memoryRoot(tenantId, ids) });
  expect(await raw.nodes.countDocuments({ tenantId, level: { $lt: BLOCK_LEVEL } })).toBe(0);
  // Runs of 100, 250 (cut at 256: 156 + 94), 1, 349 (cut at 512: 161 + 188), and nodes at levels 8 and 9 (256-leaf blocks 0 and 1, and their parent).
  expect(await raw.nodes.countDocuments({ tenantId })).toBe(6 + 3);
  expect(await verify(tenantId)).toMatchObject({ ok: true, failure: null, eventsChecked: 700, checkpoint: { size: 700 } });
  expect(await verify(tenantId, { from: 200, to: 600 })).toMatchObject({ ok: true, eventsChecked: 400 });
  await expectProofs(tenantId, ids, [0, 99, 100, 255, 256, 350, 511, 512, 699], first!.size);
});

it('keeps verifying and proving a log written in the earlier layout, and names a changed event across both', async () => {
  const tenantId = 'layout-earlier';
  const ids = await seed(tenantId, 300);
  await writeEarlierLayout(tenantId, ids);
  const earlier = await checkpointNow(tenantId); // signs the tree written by hand: nothing is unsealed
  expect(earlier).toMatchObject({ size: 300, rootHash: await memoryRoot(tenantId, ids) });
  expect(await verify(tenantId)).toMatchObject({ ok: true, failure: null, eventsChecked: 300 });
  await expectProofs(tenantId, ids, [0, 150, 255, 256, 299]);

  // Sealed on by this version: the rest of the open block (to 512) as before, packed from there on.
  ids.push(...(await seed(tenantId, 400)));
  const checkpoint = await checkpointNow(tenantId);
  expect(checkpoint).toMatchObject({ size: 700, rootHash: await memoryRoot(tenantId, ids) });
  expect(await raw.logs.findOne({ _id: tenantId } as Document)).toMatchObject({ packedFrom: 512 });
  expect(await raw.nodes.countDocuments({ tenantId, level: 0 })).toBe(512);
  expect(await verify(tenantId)).toMatchObject({ ok: true, failure: null, eventsChecked: 700 });
  await expectProofs(tenantId, ids, [0, 299, 300, 511, 512, 699], earlier.size);

  for (const position of [280, 600]) {
    await raw.events.updateOne({ _id: new ObjectId(ids[position]!) }, { $set: { description: 'Quietly changed' } });
    expect((await verify(tenantId)).failure).toMatchObject({ kind: 'changed', position, eventId: ids[position] });
    await raw.events.updateOne({ _id: new ObjectId(ids[position]!) }, { $set: { description: `Event ${position - (position < 300 ? 0 : 300)}` } });
  }
});

/**
 * What a sealer before the packed layout wrote for these events (in log order): every completed
 * node a document (level-0 ones with `eventId`), a seal per event without a leaf, a log without
 * `packedFrom`.
 */
async function writeEarlierLayout(tenantId: string, ids: string[]): Promise<void> {
  const events = new Map((await createEventSealsRepository(stack.services.db).byIds(tenantId, ids.map((id) => new ObjectId(id)))).map((event) => [event._id.toHexString(), event]));
  const { frontier, completed } = appendLeaves({ size: 0, hashes: [] }, ids.map((id) => eventLeafHash(events.get(id)!)));
  await raw.nodes.insertMany(completed.map((node) => ({ _id: `${tenantId}|${node.level}|${node.index}`, tenantId, level: node.level, index: node.index, hash: node.hash, ...(node.level === 0 ? { eventId: new ObjectId(ids[node.index]!) } : {}) })) as Document[]);
  await raw.seals.insertMany(ids.map((id, position) => ({ _id: new ObjectId(id), tenantId, position, sealedAt: new Date() })));
  await raw.logs.insertOne({ _id: tenantId, size: frontier.size, frontier: frontier.hashes, lease: null, pending: null, lastCheckpoint: null, needsCheckpoint: true } as Document);
}
