import { createHash } from 'node:crypto';
import type { Worker } from 'bullmq';
import { parse } from 'csv-parse/sync';
import pino from 'pino';
import { detectServerKind } from '../../server/db/server-kind';
import { downloadPath } from '../../server/exports/export-links';
import { AUDIT_EVENTS_COLLECTION } from '../../server/events/event.model';
import { NOTIFICATIONS_COLLECTION } from '../../server/notifications/notification.repository';
import { fromEventDocument, type EventDocument } from '../../server/events/event.document';
import { startAuditStack, STACK_SECRET, type AuditStack } from '../helpers/audit-stack';
import { download, waitForExport } from '../helpers/exports';
import { seedEvents } from '../helpers/seed-events';

const adminA = { tenantId: 'tenant-a', actorId: 'admin-a', actorName: 'Ada Admin', role: 'admin' };
const otherAdminA = { tenantId: 'tenant-a', actorId: 'admin-a2', actorName: 'Alan Admin', role: 'admin' };
const memberA = { tenantId: 'tenant-a', actorId: 'member-a', role: 'member' };
const adminB = { tenantId: 'tenant-b', actorId: 'admin-b', role: 'admin' };

describe('audit log exports', () => {
  let stack: AuditStack;
  let worker: Worker;

  beforeAll(async () => {
    stack = await startAuditStack('exports');
    worker = await stack.server.startWorker({ logger: pino({ level: 'silent' }),
      progressIntervalMs: 200,
    });
    const events = stack.events;
    await seedEvents(events, {
      tenantId: 'tenant-a',
      count: 30,
      newest: new Date('2026-03-29T01:30:00Z'),
      stepMs: 10 * 60 * 1000,
      customise: (event, index) => (index === 0 ? { ...event, description: '=HYPERLINK("http://evil.example","Click")', subject: { type: 'contact', id: 'c1', name: '@SUM(1+1)' } } : event),
    });
    await seedEvents(events, { tenantId: 'tenant-b', count: 5 });
  });

  afterAll(async () => {
    await worker?.close();
    await stack?.close();
  });

  it('writes a CSV with every matching event, zone-local dates and neutralised formulas', async () => {
    const client = stack.client(adminA);
    const created = await client.auditLog.exports.create.mutate({ format: 'csv', timeZone: 'Europe/Berlin', columns: ['eventId'] });
    expect(created.status).toBe('queued');
    const done = await waitForExport(client, created.id);
    expect(done.progress).toEqual({ rows: 30, total: 30, percent: 100 });

    const response = await download(stack, done.file!.downloadUrl, adminA);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}-[0-9a-f]{24}\.csv"$/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    const rows: string[][] = parse(bytes.toString('utf8'), { bom: true });
    expect(rows[0]).toEqual(['User', 'Date/time', 'Action', 'Subject', 'Description', 'Number of edits', 'Status', 'Device type', 'IP address', 'Session ID', 'User agent', 'Event ID']);
    expect(rows).toHaveLength(31);
    // Newest first, 10 minutes apart, across Berlin's switch to summer time at 01:00 UTC.
    expect(rows.slice(1, 6).map((row) => row[1])).toEqual([
      '2026-03-29T03:30:00.000+02:00',
      '2026-03-29T03:20:00.000+02:00',
      '2026-03-29T03:10:00.000+02:00',
      '2026-03-29T03:00:00.000+02:00',
      '2026-03-29T01:50:00.000+01:00',
    ]);
    expect(rows[1]![3]).toBe("'@SUM(1+1)");
    expect(rows[1]![4]).toBe(`'=HYPERLINK("http://evil.example","Click")`);
    const ids = rows.slice(1).map((row) => row[11]);
    // The export covers events received up to its request: its own audit event comes later.
    const stored = await stack.events.find({ tenantId: 'tenant-a', receivedAt: { $lte: done.requestedAt } }).sort({ occurredAt: -1 }).toArray();
    expect(await stack.events.countDocuments({ tenantId: 'tenant-a' })).toBeGreaterThan(stored.length);
    expect(ids).toEqual(stored.map((event: EventDocument) => event._id.toHexString()));
  });

  it('tells MongoDB from FerretDB, which decides whether exports count a progress total', async () => {
    const kind = await detectServerKind(stack.mongo.connection.db!);
    const started = process.env.AUDIT_TEST_MONGODB_KIND;
    if (started === 'ferretdb') expect(kind).toBe('ferretdb');
    else if (started === 'mongodb-memory-server') expect(kind).toBe('mongodb');
    else expect(['mongodb', 'ferretdb']).toContain(kind);
  });

  it('records the export and every download, with the file SHA-256', async () => {
    const client = stack.client(adminA);
    const done = await waitForExport(client, (await client.auditLog.exports.create.mutate({ format: 'xlsx', filters: { status: 'success' } })).id);
    const bytes = Buffer.from(await (await download(stack, done.file!.downloadUrl, adminA)).arrayBuffer());
    await stack.audit.flush();
    const events = stack.mongo.connection.collection<EventDocument>(AUDIT_EVENTS_COLLECTION);
    // As stored (the stored form v2 keeps names beside their commitments), read back the way the API reads it.
    const stored = async (action: string) => fromEventDocument((await events.findOne({ tenantId: 'tenant-a', action, 'subject.id': done.id }))!);
    const exported = await stored('audit_log.exported');
    expect(exported).toMatchObject({ actor: { id: 'admin-a', name: 'Ada Admin' }, status: 'success' });
    expect(exported.metadata).toMatchObject({ format: 'xlsx', rowCount: done.file!.rows, filters: { status: 'success' } });
    const downloaded = await stored('audit_log.export_downloaded');
    expect(downloaded).toMatchObject({ actor: { id: 'admin-a' } });
    expect(downloaded.metadata?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('tells the requester once, live over the SSE subscription, when the file is ready', async () => {
    const client = stack.client(adminA);
    const received: Array<{ kind: string; exportId?: string; link?: string }> = [];
    const subscription = client.auditLog.notifications.live.subscribe(undefined, { onData: (notification) => received.push(notification) });
    try {
      await new Promise((done) => setTimeout(done, 500)); // let the SSE stream open
      const { id } = await client.auditLog.exports.create.mutate({ format: 'csv' });
      const deadline = Date.now() + 60_000;
      while (!received.some((notification) => notification.exportId === id) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
      const mine = received.filter((notification) => notification.exportId === id);
      // The notification's link leads through sign-in: it carries no token.
      expect(mine).toEqual([expect.objectContaining({ kind: 'export.completed', link: `/audit-log/exports/${id}/download` })]);
      const listed = await client.auditLog.notifications.list.query({ unreadOnly: true });
      expect(listed.items.filter((notification) => notification.exportId === id)).toHaveLength(1);
      expect(await stack.mongo.connection.collection(NOTIFICATIONS_COLLECTION).countDocuments({ exportId: id })).toBe(1);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('refuses forged, expired and foreign download links', async () => {
    const client = stack.client(adminA);
    const done = await waitForExport(client, (await client.auditLog.exports.create.mutate({ format: 'csv' })).id);
    const url = done.file!.downloadUrl;
    const forged = url.replace(/token=[^&]+/, (token) => `${token.slice(0, -4)}AAAA`);
    expect((await download(stack, forged, adminA)).status).toBe(403);
    const expiredToken = stack.signDownloadLink({ exportId: done.id, tenantId: 'tenant-a', requesterId: 'admin-a', expiresAt: Date.now() - 1 });
    expect((await download(stack, '/audit-log' + downloadPath(done.id, expiredToken), adminA)).status).toBe(410);
    expect((await download(stack, url, otherAdminA)).status).toBe(403);
    expect((await download(stack, url, adminB)).status).toBe(403);
    const linkForOtherRequester = stack.signDownloadLink({ exportId: done.id, tenantId: 'tenant-a', requesterId: 'admin-a2', expiresAt: Date.now() + 60_000 });
    expect((await download(stack, '/audit-log' + downloadPath(done.id, linkForOtherRequester), adminA)).status).toBe(403);
    expect((await download(stack, '/audit-log' + downloadPath(done.id, linkForOtherRequester), otherAdminA)).status).toBe(404);
    expect((await download(stack, '/audit-log' + downloadPath('0123456789abcdef01234567', 'x.y'), adminA)).status).toBe(403);
    expect((await download(stack, url, adminA)).status).toBe(200);
  });

  it('lets only admins export, and shows each admin only their own exports', async () => {
    await expect(stack.client(memberA).auditLog.exports.create.mutate({ format: 'csv' })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    const mine = await stack.client(adminA).auditLog.exports.create.mutate({ format: 'csv' });
    await expect(stack.client(otherAdminA).auditLog.exports.byId.query({ id: mine.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    await expect(stack.client(adminB).auditLog.exports.cancel.mutate({ id: mine.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    const list = await stack.client(adminA).auditLog.exports.list.query({ limit: 50 });
    expect(list.map((view) => view.id)).toContain(mine.id);
    expect((await stack.client(adminB).auditLog.exports.list.query({ limit: 50 })).map((view) => view.id)).not.toContain(mine.id);
  });

  it('answers bad export requests with BAD_REQUEST and a readable message', async () => {
    const client = stack.client(adminA);
    const bad = async (input: unknown) => {
      const error = await client.auditLog.exports.create.mutate(input as never).then(() => undefined, (caught: unknown) => caught);
      expect(error).toMatchObject({ data: { code: 'BAD_REQUEST' } });
      return (error as Error).message;
    };
    expect(await bad({ format: 'pdf' })).toMatch(/^format: /);
    expect(await bad({ format: 'csv', timeZone: 'Mars/Olympus' })).toBe('timeZone: must be an IANA time zone such as Europe/Berlin');
    expect(await bad({ format: 'csv', columns: ['password'] })).toMatch(/^columns\.0: /);
    expect(await bad({ format: 'csv', filters: { actorIds: [{ $ne: null }] } })).toMatch(/^filters\.actorIds\.0: /);
    expect(await bad({ format: 'csv', filters: { $where: 'sleep(1000)' } })).toMatch(/^filters: /);
  });
});
