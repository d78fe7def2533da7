import type { Worker } from 'bullmq';
import pino from 'pino';
import { RETENTION_JOB } from '../../server/exports/export.job';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { waitForExport } from '../helpers/exports';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server';
import { seedEvents } from '../helpers/seed-events';

const admin = { tenantId: 'tenant-rec', actorId: 'admin-rec', role: 'admin' };

/** Redis restarted without persistence loses every job and scheduler; MongoDB's export records are the truth. */
describe('exports across a Redis restart without persistence', () => {
  let redis: OwnRedis;
  let stack: AuditStack;
  let worker: Worker | undefined;
  const queue = () => stack.services.connected!.exports.queue;
  const startWorker = () => stack.server.startWorker({ logger: pino({ level: 'silent' }), progressIntervalMs: 200, reconcileEveryMs: 5_000 });
  const waitUntil = async (check: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) return false;
      await new Promise((done) => setTimeout(done, 250));
    }
    return true;
  };
  const redisAnswers = () => waitUntil(() => stack.redis.redis.ping().then(() => true, () => false), 30_000);

  beforeAll(async () => {
    redis = await startOwnRedis();
    stack = await startAuditStack('exports_reconcile', { redisUrl: redis.url });
    await seedEvents(stack.events, { tenantId: admin.tenantId, count: 20 });
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });
  afterAll(async () => {
    await stack?.close();
    await redis?.stop();
  });

  it('completes an export queued before the restart, within a minute of a worker starting', async () => {
    const client = stack.client(admin);
    const { id } = await client.auditLog.exports.create.mutate({ format: 'csv' });
    expect(await queue().getJob(id)).toBeDefined();
    await redis.restart();
    expect(await redisAnswers()).toBe(true);
    expect(await queue().getJob(id)).toBeUndefined();

    worker = await startWorker();
    const done = await waitForExport(client, id, ['completed'], 60_000);
    expect(done.file!.rows).toBe(20);
    expect(await queue().getJobScheduler(RETENTION_JOB)).toBeDefined();
  });

  it('re-creates the retention scheduler when Redis comes back under a running worker', async () => {
    worker = await startWorker();
    expect(await queue().getJobScheduler(RETENTION_JOB)).toBeDefined();
    await redis.restart();
    expect(await redisAnswers()).toBe(true);
    expect(await waitUntil(async () => (await queue().getJobScheduler(RETENTION_JOB)) !== undefined, 60_000)).toBe(true);
  });
});
