import pino from 'pino';
import type { AuditLog } from '../../plugins';
import { connectTestMongo, testMongoUri, type TestMongo } from '../helpers/test-databases';
import { storedEvents } from '../fixtures/stored-events';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startCommonJsHost } = require('../fixtures/commonjs-host/host.js') as {
  startCommonJsHost(options: { uri: string; dbName: string; logger: unknown }): Promise<{ url: string; auditLog: AuditLog; stop(): Promise<void> }>;
};

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

let db: TestMongo;
let auditLog: AuditLog;
let host: { url: string; auditLog: AuditLog; stop(): Promise<void> };

beforeAll(async () => {
  db = await connectTestMongo('hooks_cjs');
  host = await startCommonJsHost({ uri: testMongoUri(), dbName: db.dbName, logger: pino({ level: 'silent' }) });
  auditLog = host.auditLog;
});

afterAll(async () => {
  await host?.stop();
  await db.drop();
});

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${host.url}${path}`, {
    method,
    headers: { authorization: 'Bearer token-ann', 'content-type': 'application/json', 'user-agent': IPHONE, 'x-forwarded-for': '203.0.113.9' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return response.json();
}

async function eventsOf(contactId: string) {
  await auditLog.flush();
  return storedEvents(db.connection, { 'subject.id': contactId });
}

describe('a plain CommonJS host on mongoose 8 and express 4', () => {
  it('gets a create event with the new fields and its request context', async () => {
    const contact = await call('POST', '/contacts', { name: 'Cora Create', email: 'cora@cjs.test' });
    const [created] = await eventsOf(contact._id);
    expect(created).toMatchObject({
      tenantId: 'cjs-tenant',
      actor: { id: 'ann', name: 'Ann Host' },
      action: 'record.created',
      subject: { type: 'contact', id: contact._id, name: 'Cora Create' },
      context: { ip: '203.0.113.9', deviceType: 'mobile' },
    });
    expect(created?.changes).toEqual(expect.arrayContaining([{ field: 'email', after: 'cora@cjs.test' }]));
  });

  it('gets an update event with before and after', async () => {
    const contact = await call('POST', '/contacts', { name: 'Uma Update', email: 'old@cjs.test' });
    await call('PATCH', `/contacts/${contact._id}`, { email: 'new@cjs.test' });
    const [, updated] = await eventsOf(contact._id);
    expect(updated).toMatchObject({ action: 'record.updated', editCount: 1, changes: [{ field: 'email', before: 'old@cjs.test', after: 'new@cjs.test' }] });
  });

  it('gets a $push diff of an array field', async () => {
    const contact = await call('POST', '/contacts', { name: 'Tia Tags', tags: ['vip'] });
    await call('POST', `/contacts/${contact._id}/tags`, { tag: 'churn-risk' });
    const [, updated] = await eventsOf(contact._id);
    expect(updated?.changes).toEqual([{ field: 'tags', before: ['vip'], after: ['vip', 'churn-risk'] }]);
  });

  it('gets a soft-delete event when a contact is archived with removed: true', async () => {
    const contact = await call('POST', '/contacts', { name: 'Sam Soft' });
    await call('POST', `/contacts/${contact._id}/archive`);
    const [, deleted] = await eventsOf(contact._id);
    expect(deleted).toMatchObject({ action: 'record.deleted', metadata: { soft: true }, changes: [{ field: 'removed', before: false, after: true }] });
  });

  it('gets a delete event naming the deleted contact', async () => {
    const contact = await call('POST', '/contacts', { name: 'Dan Delete' });
    await call('DELETE', `/contacts/${contact._id}`);
    const [, deleted] = await eventsOf(contact._id);
    expect(deleted).toMatchObject({ action: 'record.deleted', subject: { name: 'Dan Delete' }, metadata: { soft: false } });
  });
});
