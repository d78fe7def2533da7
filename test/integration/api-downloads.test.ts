import type { Worker } from 'bullmq';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { waitForExport } from '../helpers/exports';
import { seedEvents } from '../helpers/seed-events';

/** The standalone API's download route sits behind the app's own middleware: request ids, trust proxy, security headers. */
describe('downloads through the standalone API', () => {
  const admin = { tenantId: 'tenant-dl', actorId: 'admin-dl', role: 'admin' };
  let stack: AuditStack;
  let worker: Worker;

  beforeAll(async () => {
    stack = await startAuditStack('api_downloads', { trustProxy: true });
    worker = await stack.server.startWorker({ progressIntervalMs: 100 });
    await seedEvents(stack.events, { tenantId: admin.tenantId, count: 5 });
  });
  afterAll(async () => {
    await worker?.close();
    await stack?.close();
  });

  it('records the download with the caller’s request id and its address as the trusted proxy reports it', async () => {
    const client = stack.client(admin);
    const done = await waitForExport(client, (await client.auditLog.exports.create.mutate({ format: 'csv' })).id);
    const response = await fetch(new URL(done.file!.downloadUrl, stack.origin), {
      headers: { authorization: `Bearer ${stack.tokenFor(admin)}`, 'x-request-id': 'download-req-42', 'x-forwarded-for': '203.0.113.77' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('download-req-42');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    await stack.audit.flush();
    const [downloaded] = await stack.events.find({ tenantId: admin.tenantId, action: 'audit_log.export_downloaded' }).toArray();
    expect(downloaded?.context).toMatchObject({ requestId: 'download-req-42', ip: '203.0.113.77' });
  });
});
