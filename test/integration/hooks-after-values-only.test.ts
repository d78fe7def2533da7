import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import pino from 'pino';
import { createAuditLog, type AuditLog } from '../../plugins';
import { auditContext } from '../../server/request-scope/audit-context';
import { storedEvents } from '../fixtures/stored-events';
import { testMongoUri, uniqueName } from '../helpers/test-databases';

/** The `afterValuesOnly` option: query-style single-record updates recorded without reading the record first. */
const TENANT = 'tenant-after-values';
const scope = { tenantId: TENANT, actor: { id: 'u1', name: 'Alice Admin', type: 'user' as const }, request: {} };
const asAlice = <T>(work: () => PromiseLike<T>): Promise<T> => auditContext.run(scope, async () => await work());

let connection: Connection;
let auditLog: AuditLog;
let Leads: Model<any>;
const finds: string[] = [];

beforeAll(async () => {
  connection = await mongoose.createConnection(testMongoUri(), { dbName: uniqueName('hooks_after_values'), monitorCommands: true }).asPromise();
  connection.getClient().on('commandStarted', (event) => {
    if (event.commandName === 'find' && event.command.find === 'leads') finds.push(JSON.stringify(event.command.projection ?? {}));
  });
  auditLog = createAuditLog({ connection, logger: pino({ level: 'silent' }), recorder: { flushIntervalMs: 10 } });
  const schema = new Schema({ name: String, stage: String, score: Number, notes: [String], removed: Boolean }, { timestamps: true });
  schema.plugin(auditLog.plugin, { subjectType: 'lead', afterValuesOnly: true });
  Leads = connection.model('Lead', schema) as unknown as Model<any>;
});

afterAll(async () => {
  await auditLog.close();
  await connection.dropDatabase().catch(() => undefined);
  await connection.close();
});

async function eventsOf(id: string) {
  await auditLog.flush();
  return storedEvents(connection, { tenantId: TENANT, 'subject.id': id, action: { $ne: 'record.created' } });
}

describe('afterValuesOnly', () => {
  it('records an updateOne by _id with the values it sets, field names for $push, and no read', async () => {
    const { id } = await asAlice(() => Leads.create({ name: 'Ada', stage: 'new', score: 1 }));
    finds.length = 0;
    await asAlice(() => Leads.updateOne({ _id: id }, { $set: { stage: 'won', score: 1 }, $push: { notes: 'called' } }));
    expect(finds).toEqual([]);
    const [event] = await eventsOf(id);
    expect(event).toMatchObject({ action: 'record.updated', subject: { type: 'lead', id } });
    // score did not change, yet it is recorded: the price of not reading the record.
    expect(event?.changes).toEqual([{ field: 'notes' }, { field: 'stage', after: 'won' }, { field: 'score', after: 1 }]);
  });

  it('names the subject from the record findOneAndUpdate returns, without a read', async () => {
    const { id } = await asAlice(() => Leads.create({ name: 'Grace', stage: 'new' }));
    finds.length = 0;
    await asAlice(() => Leads.findOneAndUpdate({ name: 'Grace' }, { stage: 'lost' }, { returnDocument: 'after' }));
    expect(finds).toEqual([]);
    const [event] = await eventsOf(id);
    expect(event).toMatchObject({ subject: { type: 'lead', id, name: 'Grace' }, description: 'Updated lead "Grace": stage', changes: [{ field: 'stage', after: 'lost' }] });
  });

  it('reads only _id and the name fields when the filter does not name the record', async () => {
    const { id } = await asAlice(() => Leads.create({ name: 'Edsger', stage: 'new' }));
    finds.length = 0;
    await asAlice(() => Leads.updateOne({ name: 'Edsger' }, { $set: { removed: true } }));
    expect(finds.map((projection) => Object.keys(JSON.parse(projection)).sort())).toEqual([['_id', 'displayName', 'email', 'fullName', 'name', 'number', 'subject', 'title']]);
    const [event] = await eventsOf(id);
    expect(event).toMatchObject({ action: 'record.deleted', subject: { id, name: 'Edsger' }, metadata: { soft: true }, changes: [{ field: 'removed', after: true }] });
  });

  it('records nothing when the update matched no record', async () => {
    const missing = new mongoose.Types.ObjectId().toHexString();
    await asAlice(() => Leads.updateOne({ _id: missing }, { $set: { stage: 'won' } }));
    expect(await eventsOf(missing)).toEqual([]);
  });
});
