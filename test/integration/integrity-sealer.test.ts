import { ObjectId } from 'mongodb';
import { createEventSealsRepository, EVENT_ARRIVALS_COLLECTION, EVENT_SEALS_COLLECTION } from '../../server/events';
import { toEventDocument } from '../../server/events/event.document';
import pino from 'pino';
import { eventLeafHash, generateSigningKey } from '../../server/integrity';
import { createIntegrityRepository } from '../../server/integrity/integrity.repository';
import { createSealer } from '../../server/integrity/sealer';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { admin, makeEvent } from '../helpers/test-events';

/**
 * The sealer on the test database itself (FerretDB v1 here: no transactions, and an update command
 * of about 100 statements or more deadlocks the whole server), with its background pass running.
 */
const KEY = generateSigningKey('sealer-2026');
let stack: AuditStack;

beforeAll(async () => {
  stack = await startAuditStack('integrity-sealer', { integrity: { signingKey: KEY.signerKey, sealer: { pollIntervalMs: 50 } } });
}, 120_000);
afterAll(async () => stack?.close());

async function storeUnsealed(tenantId: string, count: number): Promise<void> {
  const start = Date.parse('2026-11-01T10:00:00Z');
  await stack.seed(Array.from({ length: count }, (_, i) => makeEvent({ tenantId, occurredAt: new Date(start + i * 1_000), description: `Event ${i}` })));
}

it('seals a batch of several hundred events in one pass and the tree verifies', async () => {
  await storeUnsealed('sealer-large-batch', 600);
  const checkpoint = await stack.services.integrity.sealer.checkpointNow('sealer-large-batch');
  expect(checkpoint).toMatchObject({ size: 600 });
  expect(await stack.client(admin('sealer-large-batch')).auditLog.integrity.verify.query()).toMatchObject({ ok: true, eventsChecked: 600 });
}, 120_000);

it('checkpointNow waits for the background pass of the same process instead of sealing beside it', async () => {
  const { sealer } = stack.services.integrity;
  const lostBefore = sealer.metrics().lostLeases;
  await storeUnsealed('sealer-beside-background', 300);
  // Several callers at once, while the background pass (every 50 ms) takes the same tenant.
  const checkpoints = await Promise.all([sealer.checkpointNow('sealer-beside-background'), sealer.checkpointNow('sealer-beside-background'), sealer.checkpointNow('sealer-beside-background')]);
  expect(checkpoints.map((checkpoint) => checkpoint?.size)).toEqual([300, 300, 300]);
  // Two passes under one owner's lease would both seal the batch; one of them would lose its commit.
  expect(sealer.metrics().lostLeases).toBe(lostBefore);
  expect(await stack.client(admin('sealer-beside-background')).auditLog.integrity.verify.query()).toMatchObject({ ok: true, eventsChecked: 300 });
}, 120_000);

/** Stores events and notes them for the sealer, as a writing process does once their batch is written. */
async function writeNoted(tenantId: string, count: number, receivedAt: Date, id = () => new ObjectId()) {
  const documents = Array.from({ length: count }, (_, i) =>
    toEventDocument(makeEvent({ tenantId, id: id().toHexString(), occurredAt: new Date(receivedAt.getTime() + i), description: `Noted ${i}` }), (hex) => new ObjectId(hex)),
  );
  await stack.events.insertMany(documents);
  await note(tenantId, documents);
  return documents;
}

const note = (tenantId: string, documents: Awaited<ReturnType<typeof writeNoted>>) =>
  createEventSealsRepository(stack.services.db).noteArrivals(documents.map((event) => ({ _id: event._id, tenantId, receivedAt: event.receivedAt, leaf: eventLeafHash(event) })));

async function logSizeReaches(tenantId: string, size: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (((await stack.services.integrity.store.state(tenantId))?.size ?? 0) < size) {
    if (Date.now() > deadline) throw new Error(`the log of ${tenantId} did not reach ${size}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

const sealsOf = (tenantId: string) => stack.mongo.connection.db!.collection<{ _id: ObjectId; position: number }>(EVENT_SEALS_COLLECTION).find({ tenantId }).sort({ position: 1 }).toArray();

it('seals an event that arrives late, with an old id and stored time, exactly once after the arrival mark has passed it', async () => {
  const tenantId = 'sealer-late-arrival';
  await writeNoted(tenantId, 20, new Date());
  await logSizeReaches(tenantId, 20);
  expect((await stack.services.integrity.store.state(tenantId))?.arrivalMark).toBeInstanceOf(Date);
  // A batch retried (or replayed from the WAL) an hour after it was first received.
  const hourAgo = new Date(Date.now() - 3_600_000);
  const [late] = await writeNoted(tenantId, 1, hourAgo, () => ObjectId.createFromTime(Math.floor(hourAgo.getTime() / 1_000)));
  await logSizeReaches(tenantId, 21);
  const seals = await sealsOf(tenantId);
  expect(seals.map((seal) => seal.position)).toEqual(Array.from({ length: 21 }, (_, i) => i));
  expect(seals.filter((seal) => seal._id.equals(late!._id)).map((seal) => seal.position)).toEqual([20]);
  expect(await stack.services.integrity.sealer.checkpointNow(tenantId)).toMatchObject({ size: 21 });
  expect(await stack.client(admin(tenantId)).auditLog.integrity.verify.query()).toMatchObject({ ok: true, eventsChecked: 21 });
}, 120_000);

it('does not seal again an event that the search of the events sealed before its note arrived', async () => {
  const tenantId = 'sealer-note-after-seal';
  const event = toEventDocument(makeEvent({ tenantId, occurredAt: new Date(), description: 'Stored, noted later' }), (hex) => new ObjectId(hex));
  await stack.events.insertOne(event);
  await stack.services.integrity.sealer.checkpointNow(tenantId); // sealed by the search of the events
  // Its note arrives only now (its writer was slow, or a replay noted it again): a fresh stamp, an old seal.
  await note(tenantId, [event]);
  // One more event: once it is sealed, a batch has read the window holding that note.
  await writeNoted(tenantId, 1, new Date());
  await logSizeReaches(tenantId, 2);
  expect((await sealsOf(tenantId)).map((seal) => [seal._id.toHexString(), seal.position])).toEqual([[event._id.toHexString(), 0], [expect.any(String), 1]]);
  expect(await stack.services.integrity.sealer.checkpointNow(tenantId)).toMatchObject({ size: 2 });
  expect(await stack.client(admin(tenantId)).auditLog.integrity.verify.query()).toMatchObject({ ok: true, eventsChecked: 2 });
}, 120_000);

it('seals events from the one-event notes written before notes were packed, and each once', async () => {
  const tenantId = 'sealer-one-event-notes';
  const receivedAt = new Date();
  const documents = Array.from({ length: 5 }, (_, i) => toEventDocument(makeEvent({ tenantId, occurredAt: new Date(receivedAt.getTime() + i), description: `Noted alone ${i}` }), (hex) => new ObjectId(hex)));
  await stack.events.insertMany(documents);
  // As an earlier version noted them: one document per event, keyed by the event's id.
  await stack.mongo.connection.db!.collection(EVENT_ARRIVALS_COLLECTION).insertMany(documents.map((event) => ({ _id: event._id, tenantId, receivedAt: event.receivedAt, leaf: eventLeafHash(event), notedAt: new Date() })));
  await writeNoted(tenantId, 3, new Date(receivedAt.getTime() + 10));
  await logSizeReaches(tenantId, 8);
  expect((await sealsOf(tenantId)).map((seal) => seal.position)).toEqual(Array.from({ length: 8 }, (_, i) => i));
  expect(await stack.services.integrity.sealer.checkpointNow(tenantId)).toMatchObject({ size: 8 });
  expect(await stack.client(admin(tenantId)).auditLog.integrity.verify.query()).toMatchObject({ ok: true, eventsChecked: 8 });
}, 120_000);

it('hands its leases back on a clean stop, so another sealer takes the tenant at once, not after the lease lapses', async () => {
  const tenantId = 'sealer-handover';
  const { db } = stack.services;
  const events = createEventSealsRepository(db);
  const store = createIntegrityRepository(db);
  // A lease of a minute: without the hand-back, the second sealer is refused for that long.
  const make = () => createSealer({ events, store, logger: pino({ level: 'silent' }), settings: { leaseMs: 60_000 } });
  // The stack's own background sealer (50 ms poll) would otherwise race the second sealer for the
  // lease handed back (to sign the tenant's due checkpoint): only the two sealers under test run.
  const background = stack.services.integrity.sealer;
  await background.stop();
  try {
    await storeUnsealed(tenantId, 20);
    const first = make();
    await first.sealAll({ tenants: [tenantId] });
    expect((await store.state(tenantId))?.size).toBe(20);
    expect((await store.state(tenantId))?.lease).toMatchObject({ owner: first.owner });
    await first.stop();
    expect((await store.state(tenantId))?.lease ?? null).toBeNull();

    await storeUnsealed(tenantId, 10);
    const second = make();
    await second.sealAll({ tenants: [tenantId] });
    expect((await store.state(tenantId))?.size).toBe(30);
    await second.stop();
  } finally {
    background.start();
  }
}, 120_000);
