import { ObjectId } from 'mongodb';
import pino from 'pino';
import { createAuditLog, type AuditLog } from '../../plugins';
import { fromEventDocument, type EventDocument } from '../../server/events/event.document';
import { AUDIT_EVENTS_COLLECTION } from '../../server/events/event.model';
import { auditContext } from '../../server/request-scope/audit-context';
import { connectTestMongo, connectTestRedis, type TestMongo, type TestRedis } from '../helpers/test-databases';

describe('recording events into a real MongoDB-protocol server', () => {
  let mongo: TestMongo;
  let redis: TestRedis;
  let audit: AuditLog;

  beforeAll(async () => {
    mongo = await connectTestMongo('recorder');
    redis = await connectTestRedis('recorder');
    audit = await createAuditLog({ connection: mongo.connection, redis: redis.redis, redisPrefix: redis.prefix, logger: pino({ level: 'silent' }) });
  });

  afterAll(async () => {
    await audit.close();
    await mongo.drop();
    await redis.cleanup();
  });

  // Six batches of the default 500, all recorded at once; ingest speed is `npm run bench -- ingest`.
  it('stores 3,000 concurrently recorded events exactly once, with every field', async () => {
    const tenants = ['tenant-a', 'tenant-b', 'tenant-c'];
    const recorded = await Promise.all(
      Array.from({ length: 3_000 }, async (_, n) => {
        await new Promise((done) => setImmediate(done));
        const tenantId = tenants[n % tenants.length]!;
        return auditContext.run(
          {
            tenantId,
            actor: { id: `user-${n % 17}`, name: `User ${n % 17}`, email: `u${n % 17}@example.com`, role: 'member' },
            request: { ip: `10.0.${n % 256}.1`, sessionId: `session-${n % 50}`, deviceType: 'mobile', requestId: `req-${n}` },
          },
          () =>
            audit.record({
              action: 'record.updated',
              subject: { type: 'contact', id: `contact-${n}`, name: `Contact ${n}` },
              description: `Updated contact ${n}`,
              changes: [{ field: 'phone', before: null, after: `+1-555-${n}` }],
              metadata: { 'weird.key': n, $dollar: [[n]] },
            }),
        );
      }),
    );
    await audit.flush();

    const collection = mongo.connection.collection(AUDIT_EVENTS_COLLECTION);
    expect(await collection.countDocuments()).toBe(3_000);
    expect(new Set(recorded).size).toBe(3_000);
    const perTenant = await collection.aggregate<{ _id: string; count: number }>([{ $group: { _id: '$tenantId', count: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    expect(perTenant).toEqual([
      { _id: 'tenant-a', count: 1000 },
      { _id: 'tenant-b', count: 1000 },
      { _id: 'tenant-c', count: 1000 },
    ]);

    // Read back as the API reads the stored form v2 (personal values beside their commitments).
    const sample = fromEventDocument((await collection.findOne({ _id: new ObjectId(recorded[2042]) })) as unknown as EventDocument);
    expect(sample).toMatchObject({
      tenantId: 'tenant-c',
      action: 'record.updated',
      actor: { id: 'user-2', name: 'User 2', email: 'u2@example.com', role: 'member', type: 'user' },
      subject: { type: 'contact', id: 'contact-2042', name: 'Contact 2042' },
      description: 'Updated contact 2042',
      changes: [{ field: 'phone', before: null, after: '+1-555-2042' }],
      editCount: 1,
      status: 'success',
      context: { ip: '10.0.250.1', sessionId: 'session-42', deviceType: 'mobile', requestId: 'req-2042' },
      metadata: { 'weird.key': 2042, $dollar: [[2042]] },
    });
    expect(sample?.occurredAt).toBeInstanceOf(Date);
    expect(audit.metrics()).toMatchObject({ accepted: 3_000, written: 3_000, failed: 0, queued: 0 });
  });

  it('creates the indexes the queries need at start-up', async () => {
    const names = (await mongo.connection.collection(AUDIT_EVENTS_COLLECTION).indexes()).map((index) => index.name);
    expect(names).toEqual(expect.arrayContaining(['tenant_time', 'tenant_actor_time', 'tenant_action_time', 'tenant_subject_time']));
  });
});
