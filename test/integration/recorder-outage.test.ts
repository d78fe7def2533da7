import mongoose from 'mongoose';
import pino from 'pino';
import { createAuditLog } from '../../plugins';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../server/db/embedded-mongo';
import { AUDIT_EVENTS_COLLECTION } from '../../server/events/event.model';
import { auditContext } from '../../server/request-scope/audit-context';
import { connectTestRedis, uniqueName, type TestRedis } from '../helpers/test-databases';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** This suite stops its database, so it starts one of its own rather than sharing the run's. */
describe('recording while MongoDB is down (memory mode, Redis spill)', () => {
  let server: EmbeddedMongo;
  let redis: TestRedis;

  beforeAll(async () => {
    server = await startEmbeddedMongo({ preferFerret: process.env.AUDIT_TEST_MONGODB_KIND === 'ferretdb' });
    redis = await connectTestRedis('outage');
  });

  afterAll(async () => {
    await server?.dispose();
    await redis?.cleanup();
  });

  it('keeps every event through a 10+ second outage and stores each exactly once afterwards', async () => {
    const connection = await mongoose
      .createConnection(server.uri, { dbName: uniqueName('outage'), serverSelectionTimeoutMS: 1_000, heartbeatFrequencyMS: 500 })
      .asPromise();
    const audit = await createAuditLog({
      connection,
      redis: redis.redis,
      redisPrefix: redis.prefix,
      logger: pino({ level: 'silent' }),
      // Memory mode (no files): the outage pushes events past the low bound through the Redis spill
      // list (recorder-redis-restart.test.ts drills the write-ahead log).
      durability: { mode: 'memory' },
      recorder: { batchSize: 100, flushIntervalMs: 50, maxQueuedEvents: 300, backoff: { initialMs: 100, maxMs: 1_000, jitter: 0.1 } },
    });
    await audit.ready;

    const recorded: string[] = [];
    let phase = 'before';
    const byPhase: Record<string, number> = {};
    const recordOne = () =>
      auditContext.runAsSystem('tenant-outage', () => {
        recorded.push(audit.record({ action: 'record.created', description: `event ${recorded.length} (${phase})` }));
        byPhase[phase] = (byPhase[phase] ?? 0) + 1;
      });
    const traffic = setInterval(() => {
      for (let n = 0; n < 5; n++) recordOne();
    }, 10);

    await sleep(1_000);
    phase = 'down';
    await server.stop();
    await sleep(11_000);
    expect(audit.metrics().spilled).toBeGreaterThan(0);
    phase = 'restarted';
    await server.restart();
    await sleep(1_000);
    clearInterval(traffic);

    await audit.close({ timeoutMs: 90_000 });
    const stored = await connection
      .collection(AUDIT_EVENTS_COLLECTION)
      .find({}, { projection: { _id: 1 } })
      .toArray();
    const storedIds = stored.map((document) => document._id.toHexString());
    await connection.close();

    expect(byPhase.down).toBeGreaterThan(1_000);
    expect(storedIds).toHaveLength(recorded.length);
    expect(new Set(storedIds)).toEqual(new Set(recorded));
    const metrics = audit.metrics();
    expect(metrics.retried).toBeGreaterThan(0);
    expect(metrics.failed).toBe(0);
    expect(metrics.overloaded).toBe(0);
    expect(await redis.redis.llen(`${redis.prefix}:audit:spill`)).toBe(0);
  });
});
