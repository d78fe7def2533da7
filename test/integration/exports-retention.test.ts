import { ObjectId } from 'mongodb';
import pino from 'pino';
import { EXPORT_FILES_BUCKET } from '../../server/exports/export-storage';
import { NOTIFICATIONS_COLLECTION } from '../../server/notifications/notification.repository';
import { removeExpiredExports } from '../../server/exports';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { waitForExport } from '../helpers/exports';
import { seedEvents } from '../helpers/seed-events';

const admin = { tenantId: 'tenant-r', actorId: 'admin-r', role: 'admin' };
const DAY_MS = 24 * 60 * 60 * 1000;

describe('export retention', () => {
  let stack: AuditStack;

  beforeAll(async () => {
    stack = await startAuditStack('retention');
    await seedEvents(stack.events, { tenantId: admin.tenantId, count: 20 });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('deletes expired exports with their files and notifications, and keeps the others', async () => {
    const logger = pino({ level: 'silent' });
    const worker = await stack.server.startWorker({ logger, progressIntervalMs: 100 });
    const client = stack.client(admin);
    try {
      const older = await waitForExport(client, (await client.auditLog.exports.create.mutate({ format: 'csv' })).id);
      const newer = await waitForExport(client, (await client.auditLog.exports.create.mutate({ format: 'xlsx' })).id);
      const db = stack.mongo.connection.db!;
      const files = db.collection(`${EXPORT_FILES_BUCKET}.files`);
      expect(await files.countDocuments({})).toBe(2);

      // Seven days of retention, as configured: eight days later the first has expired, and the second
      // too unless its expiry is moved out; move it to show that only expired exports go.
      await db.collection('audit_exports').updateOne({ _id: new ObjectId(newer.id) }, { $set: { expiresAt: new Date(Date.now() + 30 * DAY_MS) } });
      const { removed } = await removeExpiredExports({ exports: stack.services.connected!.exports.repository, storage: stack.services.connected!.exports.storage, notifications: stack.services.connected!.notifications.repository }, logger, new Date(Date.now() + 8 * DAY_MS));

      expect(removed).toBe(1);
      await expect(client.auditLog.exports.byId.query({ id: older.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
      expect((await client.auditLog.exports.byId.query({ id: newer.id })).status).toBe('completed');
      expect(await files.countDocuments({ 'metadata.exportId': older.id })).toBe(0);
      expect(await files.countDocuments({ 'metadata.exportId': newer.id })).toBe(1);
      expect(await db.collection(`${EXPORT_FILES_BUCKET}.chunks`).countDocuments({ files_id: { $nin: (await files.find({}).toArray()).map((file) => file._id) } })).toBe(0);
      expect(await db.collection(NOTIFICATIONS_COLLECTION).countDocuments({ exportId: older.id })).toBe(0);
      expect(await db.collection(NOTIFICATIONS_COLLECTION).countDocuments({ exportId: newer.id })).toBe(1);
    } finally {
      await worker.close();
    }
  });
});
