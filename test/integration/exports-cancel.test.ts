import { EXPORT_FILES_BUCKET } from '../../server/exports/export-storage';
import { NOTIFICATIONS_COLLECTION } from '../../server/notifications/notification.repository';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { startWorkerProcess, waitForExport, type WorkerProcess } from '../helpers/exports';
import { seedEvents } from '../helpers/seed-events';

const admin = { tenantId: 'tenant-cancel', actorId: 'admin-cancel', role: 'admin' };

/**
 * A cancel racing a finishing export, made deterministic: the worker process holds each export
 * after its file is stored and before the record is completed, until the test releases it.
 */
describe('cancelling an export that is about to finish', () => {
  let stack: AuditStack;
  let worker: WorkerProcess;
  const heldExport = (id: string) => worker.nextMessage((message) => ((message as { held?: string }).held === id ? id : undefined));
  const release = (id: string) => worker.child.send({ release: id });
  const filesOf = (id: string) => stack.mongo.connection.db!.collection(`${EXPORT_FILES_BUCKET}.files`).countDocuments({ 'metadata.exportId': id });

  beforeAll(async () => {
    stack = await startAuditStack('exports_cancel');
    await seedEvents(stack.events, { tenantId: admin.tenantId, count: 20 });
    worker = await startWorkerProcess(stack, { FIXTURE_HOLD: 'beforeComplete' });
  });
  afterAll(async () => {
    await worker?.kill();
    await stack?.close();
  });

  it('ends the export cancelled when the cancel lands while the file is being finished', async () => {
    const client = stack.client(admin);
    const { id } = await client.auditLog.exports.create.mutate({ format: 'csv' });
    await heldExport(id);
    expect(await filesOf(id)).toBe(1);
    const answer = await client.auditLog.exports.cancel.mutate({ id });
    expect(answer.status).toBe('running');
    release(id);
    const ended = await waitForExport(client, id, ['cancelled'], 60_000);
    expect(ended.file).toBeUndefined();
    expect(await filesOf(id)).toBe(0);
    expect(await stack.mongo.connection.collection(NOTIFICATIONS_COLLECTION).countDocuments({ exportId: id })).toBe(0);
  });

  it('answers that the export already finished when the cancel comes after completion', async () => {
    const client = stack.client(admin);
    const { id } = await client.auditLog.exports.create.mutate({ format: 'csv' });
    await heldExport(id);
    release(id);
    await waitForExport(client, id, ['completed'], 60_000);
    const answer = await client.auditLog.exports.cancel.mutate({ id });
    expect(answer.status).toBe('completed');
    expect(answer.file?.rows).toBe(20);
    expect((await client.auditLog.exports.byId.query({ id })).status).toBe('completed');
  });
});
