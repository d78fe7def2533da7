import { Mongoose, Schema } from 'mongoose';
import pino from 'pino';
import { createAuditLog, type AuditLog } from '../../plugins';
import { auditContext } from '../../server/request-scope/audit-context';
import { connectTestMongo, testMongoUri, type TestMongo } from '../helpers/test-databases';
import { storedEvents } from '../fixtures/stored-events';

/** `mongoose.plugin(auditLog.plugin)` once for every model, as a host may prefer. */
let db: TestMongo;
let auditLog: AuditLog;
let host: Mongoose;

beforeAll(async () => {
  db = await connectTestMongo('hooks_global');
  auditLog = await createAuditLog({ connection: db.connection, logger: pino({ level: 'silent' }), recorder: { flushIntervalMs: 10 } });
  host = new Mongoose();
  host.plugin(auditLog.plugin);
  await host.connect(testMongoUri(), { dbName: db.dbName });
});

afterAll(async () => {
  await host.disconnect();
  await auditLog.close();
  await db.drop();
});

const asSystemJob = <T>(work: () => PromiseLike<T>) => auditContext.runAsSystem('tenant-global', async () => await work(), { name: 'Nightly import' });

describe('the plugin applied globally', () => {
  it('names subjects after the model and records one event for a document with sub-documents', async () => {
    const lineItem = new Schema({ product: String, quantity: Number });
    const Order = host.model('PurchaseOrder', new Schema({ number: String, lineItems: [lineItem] }));
    const order = await asSystemJob(() => Order.create({ number: 'PO-1', lineItems: [{ product: 'Desk', quantity: 2 }] }));
    await auditLog.flush();
    const events = await storedEvents(db.connection, { tenantId: 'tenant-global' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'record.created',
      subject: { type: 'purchase_order', id: String(order._id), name: 'PO-1' },
      actor: { id: 'system', name: 'Nightly import', type: 'system' },
    });
  });
});
