import type { Worker } from 'bullmq';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { download, waitForExport } from '../helpers/exports';
import { seedEvents } from '../helpers/seed-events';
import { EXPORT_FILES_BUCKET } from '../../server/exports/export-storage';
import { ERASURE_REMOVAL_MESSAGE } from '../../server/exports/export-erasure';

/** The standalone API's download route sits behind the app's own middleware: request ids, trust proxy, security headers. */
describe('downloads through the standalone API', () => {
  const admin = { tenantId: 'tenant-dl', actorId: 'admin-dl', role: 'admin' };
  let stack: AuditStack;
  let worker: Worker;
  const finishedExport = async () => {
    const client = stack.client(admin);
    return waitForExport(client, (await client.auditLog.exports.create.mutate({ format: 'csv' })).id);
  };

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
    const done = await finishedExport();
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

  it('makes in-app links that work for minutes, not a day', async () => {
    const done = await finishedExport();
    const token = new URL(done.file!.downloadUrl, stack.origin).searchParams.get('token')!;
    const claims = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { expiresAt: number };
    const minutesLeft = (claims.expiresAt - Date.now()) / 60_000;
    expect(minutesLeft).toBeGreaterThan(10);
    expect(minutesLeft).toBeLessThanOrEqual(15);
  });

  it('refuses the link alone, with no session: 401', async () => {
    const done = await finishedExport();
    const answer = await download(stack, done.file!.downloadUrl, null);
    expect(answer.status).toBe(401);
    expect(await answer.text()).toBe('Sign in to download this export');
  });

  it('refuses the requester once demoted: 403', async () => {
    const done = await finishedExport();
    const answer = await download(stack, done.file!.downloadUrl, { ...admin, role: 'member' });
    expect(answer.status).toBe(403);
    expect(await answer.text()).toBe('You are not allowed to download audit log exports');
  });

  it('downloads through the sign-in link of e-mails and webhooks with the requester’s session, and only with it', async () => {
    const done = await finishedExport();
    const signInLink = `/audit-log/exports/${done.id}/download`;
    expect((await download(stack, signInLink, null)).status).toBe(401);
    expect((await download(stack, signInLink, { ...admin, actorId: 'admin-other' })).status).toBe(404);
    const answer = await download(stack, signInLink, admin);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  });

  it('revokes every link of an export', async () => {
    const done = await finishedExport();
    const revoked = await stack.client(admin).auditLog.exports.revokeDownloads.mutate({ id: done.id });
    expect(revoked.file).toBeUndefined();
    expect(revoked.downloadsRevokedAt).toBeInstanceOf(Date);
    for (const link of [done.file!.downloadUrl, `/audit-log/exports/${done.id}/download`]) {
      const answer = await download(stack, link, admin);
      expect(answer.status).toBe(410);
      expect(await answer.text()).toBe('Downloads of this export were revoked');
    }
  });

  it('removes the files of the tenant’s exports that held an erased event, and the link says why', async () => {
    const before = await finishedExport();
    const after = await finishedExport();
    const exports = stack.services.connected!.exports;
    // The oldest event of the tenant (seeded before any export): every file of the tenant holds it.
    const held = (await stack.client(admin).auditLog.events.list.query({ limit: 100 })).items.at(-1);
    // An event received after both requests is in neither file.
    expect(await exports.removeFilesHolding(admin.tenantId, [{ ...held!, receivedAt: new Date(Date.now() + 60_000) }])).toBe(0);
    expect(await exports.removeFilesHolding(admin.tenantId, [held!])).toBeGreaterThanOrEqual(2);
    const files = stack.mongo.connection.db!.collection(`${EXPORT_FILES_BUCKET}.files`);
    for (const removed of [before, after]) {
      expect(await files.countDocuments({ 'metadata.exportId': removed.id })).toBe(0);
      const answer = await download(stack, removed.file!.downloadUrl, admin);
      expect(answer.status).toBe(410);
      expect(await answer.text()).toBe(ERASURE_REMOVAL_MESSAGE);
    }
  });
});
