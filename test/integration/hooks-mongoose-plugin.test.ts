import { Schema, type Model } from 'mongoose';
import { createAuditLog, type AuditLog } from '../../plugins';
import { hostDatabase } from '../../server/db/host-database';
import { createAffectedRecordsRepository } from '../../server/events/affected-records.repository';
import { auditContext } from '../../server/request-scope/audit-context';
import { connectTestMongo, type TestMongo } from '../helpers/test-databases';
import { storedEvents } from '../fixtures/stored-events';
import pino from 'pino';

interface Deal {
  name: string;
  amount?: number;
  stage?: string;
  tags: string[];
  removed?: boolean;
  passwordHint?: string;
}

const TENANT = 'tenant-plugin';
const scope = { tenantId: TENANT, actor: { id: 'u1', name: 'Alice Admin', type: 'user' as const, role: 'admin' }, request: { ip: '198.51.100.1', sessionId: 's1', deviceType: 'desktop' as const } };
// Awaited inside the scope: a mongoose query is lazy and runs where it is awaited.
const asAlice = <T>(work: () => PromiseLike<T>): Promise<T> => auditContext.run(scope, async () => await work());

let db: TestMongo;
let auditLog: AuditLog;
let Deals: Model<Deal>;

beforeAll(async () => {
  db = await connectTestMongo('hooks_plugin');
  auditLog = await createAuditLog({ connection: db.connection, logger: pino({ level: process.env.H4_DEBUG ? 'error' : 'silent' }), recorder: { flushIntervalMs: 10 } });
  const schema = new Schema<Deal>({ name: { type: String, required: true }, amount: Number, stage: String, tags: [String], removed: Boolean, passwordHint: String }, { timestamps: true });
  schema.plugin(auditLog.plugin, { subjectType: 'deal' });
  Deals = db.connection.model<Deal>('Deal', schema);
});

afterAll(async () => {
  await auditLog.close();
  await db.drop();
});

async function eventsFor(filter: Record<string, unknown>) {
  await auditLog.flush();
  return storedEvents(db.connection, { tenantId: TENANT, ...filter });
}

describe('the mongoose audit-trail plugin (mongoose 9)', () => {
  it('records a created document with its fields, tenant and actor from the request context', async () => {
    const deal = await asAlice(() => Deals.create({ name: 'Create me', amount: 10 }));
    const [event] = await eventsFor({ 'subject.id': deal.id });
    expect(event).toMatchObject({
      tenantId: TENANT,
      action: 'record.created',
      actor: { id: 'u1', name: 'Alice Admin' },
      subject: { type: 'deal', id: deal.id, name: 'Create me' },
      description: 'Created deal "Create me"',
      context: { ip: '198.51.100.1', sessionId: 's1', deviceType: 'desktop' },
    });
    expect(event?.changes).toEqual(expect.arrayContaining([{ field: 'name', after: 'Create me' }, { field: 'amount', after: 10 }]));
  });

  it('records a save of a loaded document with before and after of each changed field', async () => {
    const { id } = await asAlice(() => Deals.create({ name: 'Save me', amount: 10, stage: 'lead' }));
    await asAlice(async () => {
      const deal = await Deals.findById(id).orFail();
      deal.amount = 25;
      deal.stage = 'won';
      await deal.save();
    });
    const [, updated] = await eventsFor({ 'subject.id': id });
    expect(updated).toMatchObject({ action: 'record.updated', editCount: 2, description: 'Updated deal "Save me": amount, stage' });
    expect(updated?.changes).toEqual([{ field: 'amount', before: 10, after: 25 }, { field: 'stage', before: 'lead', after: 'won' }]);
  });

  it('records $inc, $push and $unset of updateOne with before and after', async () => {
    const { id } = await asAlice(() => Deals.create({ name: 'Operators', amount: 1, tags: ['a'], stage: 'lead' }));
    await asAlice(() => Deals.updateOne({ _id: id }, { $inc: { amount: 4 }, $push: { tags: 'b' }, $unset: { stage: 1 } }));
    const [, updated] = await eventsFor({ 'subject.id': id });
    const byField = [...(updated?.changes ?? [])].sort((left, right) => left.field.localeCompare(right.field));
    expect(byField).toEqual([
      { field: 'amount', before: 1, after: 5 },
      { field: 'stage', before: 'lead' },
      { field: 'tags', before: ['a'], after: ['a', 'b'] },
    ]);
  });

  it('records $pull of findByIdAndUpdate', async () => {
    const { id } = await asAlice(() => Deals.create({ name: 'Pull', tags: ['a', 'b'] }));
    await asAlice(() => Deals.findByIdAndUpdate(id, { $pull: { tags: 'a' } }, { new: true }));
    const [, updated] = await eventsFor({ 'subject.id': id });
    expect(updated?.changes).toEqual([{ field: 'tags', before: ['a', 'b'], after: ['b'] }]);
  });

  it('records nothing when an update changes only updatedAt', async () => {
    const { id } = await asAlice(() => Deals.create({ name: 'Touch' }));
    await asAlice(() => Deals.updateOne({ _id: id }, { $set: { name: 'Touch' } }));
    expect((await eventsFor({ 'subject.id': id })).map((event) => event.action)).toEqual(['record.created']);
  });

  it('records setting removed: true as a soft delete', async () => {
    const { id } = await asAlice(() => Deals.create({ name: 'Soft' }));
    await asAlice(() => Deals.updateOne({ _id: id }, { $set: { removed: true } }));
    const [, deleted] = await eventsFor({ 'subject.id': id });
    expect(deleted).toMatchObject({ action: 'record.deleted', metadata: { soft: true }, description: 'Deleted deal "Soft" (soft delete)' });
  });

  it('records deleteOne, findOneAndDelete and document.deleteOne as deletes with the record name', async () => {
    const [first, second, third] = await asAlice(() => Deals.create([{ name: 'Del 1' }, { name: 'Del 2' }, { name: 'Del 3' }]));
    await asAlice(async () => {
      await Deals.deleteOne({ _id: first!._id });
      await Deals.findOneAndDelete({ _id: second!._id });
      await (await Deals.findById(third!._id).orFail()).deleteOne();
    });
    const deletes = await eventsFor({ action: 'record.deleted', 'subject.name': /^Del / });
    expect(deletes.map((event) => event.subject?.name).sort()).toEqual(['Del 1', 'Del 2', 'Del 3']);
  });

  it('records one parent event for updateMany of 150 records, keeping 100 ids and the full list retrievable', async () => {
    const created = await asAlice(() => Deals.insertMany(Array.from({ length: 150 }, (_, index) => ({ name: `Bulk ${index}`, stage: 'lead' }))));
    await asAlice(() => Deals.updateMany({ name: /^Bulk / }, { $set: { stage: 'qualified' } }));
    const [bulk] = await eventsFor({ action: 'records.bulk_edited' });
    expect(bulk).toMatchObject({ subject: { type: 'deal', id: '*' }, affected: { count: 150 }, changes: [{ field: 'stage', after: 'qualified' }], metadata: { fields: ['stage'] } });
    expect(bulk?.affected?.ids).toHaveLength(100);
    await new Promise((done) => setTimeout(done, 200));
    const fullList = await createAffectedRecordsRepository(hostDatabase(db.connection)).getList(TENANT, bulk!.affected!.listId!);
    expect(fullList.sort()).toEqual(created.map((deal) => String(deal._id)).sort());
  });

  it('records insertMany as one created event with the count', async () => {
    await asAlice(() => Deals.insertMany([{ name: 'Many A' }, { name: 'Many B' }, { name: 'Many C' }]));
    const events = await eventsFor({ action: 'record.created', 'affected.count': 3 });
    expect(events).toHaveLength(1);
  });

  it('records deleteMany as one deleted event with the count', async () => {
    await asAlice(() => Deals.insertMany([{ name: 'Gone A' }, { name: 'Gone B' }]));
    await asAlice(() => Deals.deleteMany({ name: /^Gone / }));
    const [deleted] = await eventsFor({ action: 'record.deleted', 'affected.count': 2 });
    expect(deleted).toMatchObject({ description: 'Deleted 2 deal records', metadata: { soft: false } });
  });

  it('records nothing for a write that fails validation', async () => {
    const before = (await eventsFor({})).length;
    await expect(asAlice(() => Deals.create({ amount: 3 } as Deal))).rejects.toThrow(/name/);
    expect(await eventsFor({})).toHaveLength(before);
  });

  it('records a password-like field as changed without its values', async () => {
    const { id } = await asAlice(() => Deals.create({ name: 'Secretive' }));
    await asAlice(() => Deals.updateOne({ _id: id }, { $set: { passwordHint: 'my dog' } }));
    const [, updated] = await eventsFor({ 'subject.id': id });
    expect(updated?.changes).toEqual([{ field: 'passwordHint', redacted: true }]);
  });

  it('never audits writes to the audit log\'s own collections', async () => {
    const schema = new Schema({ name: String }, { collection: 'audit_host_scratch' });
    schema.plugin(auditLog.plugin);
    const Scratch = db.connection.model('AuditScratch', schema);
    await asAlice(() => Scratch.create({ name: 'not audited' }));
    expect(await eventsFor({ 'subject.type': 'audit_scratch' })).toEqual([]);
  });
});

