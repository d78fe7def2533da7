import { ObjectId, type Collection, type Document } from 'mongodb';
import { createEventSealsRepository, EVENT_SEALS_COLLECTION } from '../../server/events';
import { CHECKPOINTS_COLLECTION, createIntegrity, generateSigningKey, LOGS_COLLECTION, NODES_COLLECTION, parseSignerKey, signCheckpoint, verifyConsistency, verifyInclusion } from '../../server/integrity';
import { createAuditEvents } from '../../plugins/events/audit-events';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { admin, makeEvent, member } from '../helpers/test-events';

/**
 * Tamper drills: each changes the database with the raw driver, the way someone with write access
 * would, then asks `auditLog.integrity.verify` (over HTTP, as an admin) which event and what kind.
 */
const KEY = generateSigningKey('drills-2026');
const EVENTS = 20;
let stack: AuditStack;
let raw: { events: Collection<Document>; seals: Collection<Document>; nodes: Collection<Document>; logs: Collection<Document>; checkpoints: Collection<Document> };

beforeAll(async () => {
  stack = await startAuditStack('integrity-tamper', { integrity: { signingKey: KEY.signerKey, seal: false } });
  const db = stack.mongo.connection.db!;
  raw = { events: db.collection(stack.events.collectionName), seals: db.collection(EVENT_SEALS_COLLECTION), nodes: db.collection(NODES_COLLECTION), logs: db.collection(LOGS_COLLECTION), checkpoints: db.collection(CHECKPOINTS_COLLECTION) };
}, 120_000);
afterAll(async () => stack?.close());

/** A tenant with EVENTS sealed events and a signed checkpoint over them; the ids in log order. */
async function sealedTenant(tenantId: string): Promise<string[]> {
  const start = Date.parse('2026-11-01T10:00:00Z');
  const events = Array.from({ length: EVENTS }, (_, i) => makeEvent({ tenantId, occurredAt: new Date(start + i * 1_000), description: `Event ${i}` }));
  await stack.seed(events);
  await stack.services.integrity.sealer.checkpointNow(tenantId);
  const verdict = await verify(tenantId);
  expect(verdict).toMatchObject({ ok: true, failure: null, eventsChecked: EVENTS, checkpoint: { size: EVENTS } });
  return events.map((event) => event.id);
}

const verify = (tenantId: string, input?: { trustedCheckpoint?: string; from?: number; to?: number }) => stack.client(admin(tenantId)).auditLog.integrity.verify.query(input);
const byId = (id: string) => ({ _id: new ObjectId(id) });

describe('tamper drills: verify names the event and the kind of change', () => {
  it('a field edited', async () => {
    const ids = await sealedTenant('drill-edit');
    await raw.events.updateOne(byId(ids[6]!), { $set: { description: 'Nothing happened here' } });
    expect((await verify('drill-edit')).failure).toMatchObject({ kind: 'changed', position: 6, eventId: ids[6] });
  });

  it('an event deleted', async () => {
    const ids = await sealedTenant('drill-delete');
    await raw.events.deleteOne(byId(ids[9]!));
    expect((await verify('drill-delete')).failure).toMatchObject({ kind: 'missing', position: 9, eventId: ids[9] });
  });

  it('a forged event inserted into the history', async () => {
    const ids = await sealedTenant('drill-insert');
    const original = await raw.events.findOne(byId(ids[4]!));
    const forged = { ...original!, _id: new ObjectId(), description: 'Exported nothing' };
    await raw.events.insertOne(forged);
    // …and given a seal claiming the original's position (seals are documents of their own).
    const seal = await raw.seals.findOne(byId(ids[4]!));
    await raw.seals.insertOne({ ...seal!, _id: forged._id });
    expect((await verify('drill-insert')).failure).toMatchObject({ kind: 'inserted', position: 4, eventId: forged._id.toHexString() });
  });

  it('two events swapped', async () => {
    const ids = await sealedTenant('drill-swap');
    await raw.seals.updateOne(byId(ids[3]!), { $set: { position: 7 } });
    await raw.seals.updateOne(byId(ids[7]!), { $set: { position: 3 } });
    expect((await verify('drill-swap')).failure).toMatchObject({ kind: 'reordered', position: 3, eventId: ids[7] });
  });

  it('the tail truncated', async () => {
    const ids = await sealedTenant('drill-truncate');
    await raw.events.deleteMany({ _id: { $in: ids.slice(15).map((id) => new ObjectId(id)) } });
    expect((await verify('drill-truncate')).failure).toMatchObject({ kind: 'truncated', position: 15, eventId: ids[15] });
  });

  it('the checkpoints rewritten and re-signed with a different key', async () => {
    const ids = await sealedTenant('drill-resign');
    await raw.events.updateOne(byId(ids[2]!), { $set: { description: 'Quietly changed' } });
    const impostor = parseSignerKey(generateSigningKey('drills-2026').signerKey);
    for (const checkpoint of await raw.checkpoints.find({ tenantId: 'drill-resign' }).toArray()) {
      const resigned = signCheckpoint({ tenantId: 'drill-resign', size: checkpoint.size, rootHash: checkpoint.rootHash, time: checkpoint.time }, impostor);
      await raw.checkpoints.updateOne({ _id: checkpoint._id }, { $set: { note: resigned.note, keyId: resigned.keyId } });
    }
    expect((await verify('drill-resign')).failure).toMatchObject({ kind: 'bad_signature', checkpointSize: EVENTS });
  });

  it('the whole log and its checkpoints recomputed without the key: caught by a checkpoint kept outside', async () => {
    const tenantId = 'drill-recompute';
    const ids = await sealedTenant(tenantId);
    const kept = (await stack.client(admin(tenantId)).auditLog.integrity.latestCheckpoint.query())!.note;
    // The attacker edits an event, throws the tree and the checkpoints away and seals everything again
    // with a sealer of their own (no signing key: they cannot sign).
    await raw.events.updateOne(byId(ids[11]!), { $set: { description: 'Rewritten history' } });
    await Promise.all([raw.seals.deleteMany({ tenantId }), raw.nodes.deleteMany({ tenantId }), raw.logs.deleteOne({ _id: tenantId } as Document), raw.checkpoints.deleteMany({ tenantId })]);
    const attacker = createIntegrity({ db: stack.services.db, events: createEventSealsRepository(stack.services.db), logger: stack.services.logger });
    await attacker.sealer.sealAll({ tenants: [tenantId] });
    // Without the kept checkpoint nothing signed is left to contradict the database…
    expect(await verify(tenantId)).toMatchObject({ ok: true, warnings: [expect.stringMatching(/no checkpoint/)] });
    // …with it, the rewrite shows.
    const report = await verify(tenantId, { trustedCheckpoint: kept });
    expect(report).toMatchObject({ ok: false, checkpoint: { size: EVENTS }, failure: { kind: 'changed' } });
  });

  it('stays green on an untouched log, also over a range of positions', async () => {
    await sealedTenant('drill-none');
    expect(await verify('drill-none', { from: 5, to: 12 })).toMatchObject({ ok: true, range: { from: 5, to: 12 }, eventsChecked: 7 });
  });

  it('answers inclusion and consistency proofs that verify, and only to the tenant\u2019s admins', async () => {
    const ids = await sealedTenant('drill-proofs');
    const client = stack.client(admin('drill-proofs'));
    const proof = await client.auditLog.integrity.inclusionProof.query({ eventId: ids[13]! });
    const decode = (hashes: string[]) => hashes.map((hash) => Buffer.from(hash, 'base64'));
    expect(verifyInclusion(Buffer.from(proof.leafHash, 'base64'), 13, proof.checkpoint.size, decode(proof.proof), Buffer.from(proof.checkpoint.rootHash, 'base64'))).toBe(true);
    await stack.seed([makeEvent({ tenantId: 'drill-proofs', occurredAt: new Date('2026-11-02T00:00:00Z') })]);
    await stack.services.integrity.sealer.checkpointNow('drill-proofs');
    const consistency = await client.auditLog.integrity.consistencyProof.query({ from: EVENTS, to: EVENTS + 1 });
    expect(verifyConsistency(EVENTS, EVENTS + 1, Buffer.from(consistency.from!.rootHash, 'base64'), Buffer.from(consistency.to.rootHash, 'base64'), decode(consistency.proof))).toBe(true);
    const keys = await client.auditLog.integrity.publicKeys.query();
    expect(keys).toEqual([expect.objectContaining({ verifierKey: KEY.verifierKey, algorithm: 'ed25519' })]);
    await expect(stack.client(member('drill-proofs')).auditLog.integrity.verify.query()).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    await expect(client.auditLog.integrity.inclusionProof.query({ eventId: 'nope' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
  });
});

describe('erasure', () => {
  it('an erasure through the public API leaves verify green, and the erased value is gone', async () => {
    const tenantId = 'drill-erasure';
    // The host's erase tool runs in a request of its privacy officer: that is who data.erased names.
    const officer = { id: 'u-dpo', name: 'Dana Officer', type: 'user' as const };
    const auditEvents = createAuditEvents({ eraseSubject: stack.services.eraseSubject, record: (event) => stack.audit.record({ actor: officer, ...event }) });
    for (let i = 0; i < 6; i++) {
      stack.audit.record({
        tenantId,
        actor: { id: 'u-1', name: 'Alice Admin', email: 'alice@acme.test', type: 'user' },
        action: 'record.updated',
        subject: { type: 'contact', id: 'c-erin', name: 'Erin Erasable' },
        description: `Updated contact {subject.name} (${i})`,
        changes: [{ field: 'email', before: `erin${i}@private.test`, after: `erin${i + 1}@private.test` }],
      });
    }
    await stack.audit.flush();
    await stack.services.integrity.sealer.checkpointNow(tenantId);
    expect(await verify(tenantId)).toMatchObject({ ok: true, eventsChecked: 6 });
    const storedBefore = JSON.stringify(await raw.events.find({ tenantId }).toArray());
    expect(storedBefore).toContain('Erin Erasable');

    const erasure = await auditEvents.dataErased({ tenantId, subject: { type: 'contact', id: 'c-erin' }, erasedFields: ['name', 'email'] });
    expect(erasure.events).toBe(6);
    await stack.audit.flush();
    await stack.services.integrity.sealer.checkpointNow(tenantId); // the data.erased event joins the log

    const stored = JSON.stringify(await raw.events.find({ tenantId }).toArray());
    expect(stored).not.toContain('Erin Erasable');
    expect(stored).not.toContain('erin3@private.test');
    expect(await verify(tenantId)).toMatchObject({ ok: true, failure: null, eventsChecked: 7, checkpoint: { size: 7 } });
  });
});
