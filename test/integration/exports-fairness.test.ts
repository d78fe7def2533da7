import type { Worker } from 'bullmq';
import pino from 'pino';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { waitForExport } from '../helpers/exports';
import { seedEvents } from '../helpers/seed-events';

const adminOf = (tenantId: string, n: number) => ({ tenantId, actorId: `${tenantId}-admin-${n}`, role: 'admin' });

/** Default limits: 5 unfinished exports per admin, 20 per tenant, 2 running per tenant. */
describe('export caps and fairness across tenants', () => {
  let stack: AuditStack;
  let worker: Worker | undefined;

  beforeAll(async () => {
    stack = await startAuditStack('exports_fairness');
    for (const tenantId of ['tenant-a', 'tenant-b']) await seedEvents(stack.events, { tenantId, count: 50 });
  });
  afterAll(async () => {
    await worker?.close();
    await stack?.close();
  });

  it('refuses an admin’s sixth and a tenant’s twenty-first unfinished export with TOO_MANY_REQUESTS and a message', async () => {
    const created: string[] = [];
    for (let n = 1; n <= 4; n++) {
      const client = stack.client(adminOf('tenant-c', n));
      for (let i = 0; i < 5; i++) created.push((await client.auditLog.exports.create.mutate({ format: 'csv' })).id);
    }
    const first = stack.client(adminOf('tenant-c', 1));
    await expect(first.auditLog.exports.create.mutate({ format: 'csv' })).rejects.toMatchObject({
      message: 'You already have 5 exports queued or running (the limit is 5): wait for one to finish or cancel one',
      data: { code: 'TOO_MANY_REQUESTS' },
    });
    await expect(stack.client(adminOf('tenant-c', 5)).auditLog.exports.create.mutate({ format: 'csv' })).rejects.toMatchObject({
      message: 'This workspace already has 20 exports queued or running (the limit is 20): try again once some have finished',
      data: { code: 'TOO_MANY_REQUESTS' },
    });
    // Another tenant is not affected, and a cancelled export no longer counts.
    expect((await stack.client(adminOf('tenant-d', 1)).auditLog.exports.create.mutate({ format: 'csv' })).status).toBe('queued');
    expect((await first.auditLog.exports.cancel.mutate({ id: created[0]! })).status).toBe('cancelled');
    expect((await first.auditLog.exports.create.mutate({ format: 'csv' })).status).toBe('queued');
  });

  it('starts another tenant’s single export before one tenant’s twenty queued exports have drained', async () => {
    const queuedA: Array<{ id: string; admin: ReturnType<typeof adminOf> }> = [];
    for (let n = 1; n <= 4; n++) {
      for (let i = 0; i < 5; i++) queuedA.push({ id: (await stack.client(adminOf('tenant-a', n)).auditLog.exports.create.mutate({ format: 'csv' })).id, admin: adminOf('tenant-a', n) });
    }
    const adminB = adminOf('tenant-b', 1);
    const exportB = await stack.client(adminB).auditLog.exports.create.mutate({ format: 'csv' });
    worker = await stack.server.startWorker({ logger: pino({ level: 'silent' }), progressIntervalMs: 200 });

    const doneB = await waitForExport(stack.client(adminB), exportB.id);
    const doneA = await Promise.all(queuedA.map(({ id, admin }) => waitForExport(stack.client(admin), id)));
    const startedBeforeB = doneA.filter((done) => done.startedAt! < doneB.startedAt!).length;
    // Round robin: tenant A's first export and B's run first (two workers' worth); A's other 19 after.
    expect(startedBeforeB).toBeLessThanOrEqual(2);
    expect(doneA.every((done) => done.file!.rows === 50)).toBe(true);
  }, 300_000);
});
