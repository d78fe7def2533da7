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

  it('stores 10,000 concurrently recorded events exactly once, with every field', async () => {
    const tenants = ['tenant-a', 'tenant-b', 'tenant-c'];
    const recorded = await Promise.all(
      Array.from({ length: 10_000 }, async (_, n) => {
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
    expect(await collection.countDocuments()).toBe(10_000);
    expect(new Set(recorded).size).toBe(10_000);
    const perTenant = await collection.aggregate<{ _id: string; count: number }>([{ $group: { _id: '$tenantId', count: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    expect(perTenant).toEqual([
      { _id: 'tenant-a', count: 3334 },
      { _id: 'tenant-b', count: 3333 },
      { _id: 'tenant-c', count: 3333 },
    ]);

    // Read back as the API reads the stored form v2 (personal values beside their commitments).
    const sample = fromEventDocument((await collection.findOne({ _id: new ObjectId(recorded[4242]) })) as unknown as EventDocument);
    expect(sample).toMatchObject({
      tenantId: 'tenant-a',
      action: 'record.updated',
      actor: { id: 'user-9', name: 'User 9', email: 'u9@example.com', role: 'member', type: 'user' },
      subject: { type: 'contact', id: 'contact-4242', name: 'Contact 4242' },
      description: 'Updated contact 4242',
      changes: [{ field: 'phone', before: null, after: '+1-555-4242' }],
      editCount: 1,
      status: 'success',
      context: { ip: '10.0.146.1', sessionId: 'session-42', deviceType: 'mobile', requestId: 'req-4242' },
      metadata: { 'weird.key': 4242, $dollar: [[4242]] },
    });
    expect(sample?.occurredAt).toBeInstanceOf(Date);
    expect(audit.metrics()).toMatchObject({ accepted: 10_000, written: 10_000, failed: 0, queued: 0 });
  });

  it('creates the indexes the queries need at start-up', async () => {
    const names = (await mongo.connection.collection(AUDIT_EVENTS_COLLECTION).indexes()).map((index) => index.name);
    expect(names).toEqual(expect.arrayContaining(['tenant_time', 'tenant_actor_time', 'tenant_action_time', 'tenant_subject_time']));
  });
});
