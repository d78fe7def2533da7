import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { ObjectId } from 'mongodb';
import { findFreePort } from '../../server/db/embedded-mongo';
import { realmSafeFetch } from '../helpers/realm-safe-fetch';
import { createHostProject, openHostDatabases, installedManifests, packedTarball, recipeFiles, startHostProcess, type HostProcess, type HostProject } from '../helpers/packed-package';

/**
 * The packed package in a CRM we did not write, the way most are: CommonJS JavaScript, express 4,
 * mongoose 8 (driver 6), REST only, models compiled at require time, authentication inside its
 * routers. The host is docs/INSTALL.md's first recipe, installed from the npm registry.
 */
const SECRETS = { AUDIT_LOG_SECRET: 'rest-host-audit-secret-0123456789abcdef', CRM_TOKEN_SECRET: 'rest-host-token-secret-0123456789', API_TOKEN_SECRET: 'rest-host-api-token-secret-0123456789ab' };

type Json = any;

describe('a REST host in CommonJS on mongoose 8 and express 4, from the packed tarball', () => {
  let host: HostProject;
  let crm: HostProcess;
  let databases: Awaited<ReturnType<typeof openHostDatabases>>;
  let env: Record<string, string>;
  let origin: string;
  let token: string;
  const db = () => databases.db();
  const packed = (path: string) => require(join(host.dir, 'node_modules/crm-audit-log', path)) as Json;

  async function api(method: string, path: string, body?: unknown): Promise<Json> {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  }

  const startCrm = async (extra: Record<string, string> = {}) => {
    crm = await startHostProcess(process.execPath, ['server.js'], { cwd: host.dir, env: { ...env, ...extra }, ready: /listening on (\d+)/ });
    origin = `http://127.0.0.1:${crm.port}`;
  };

  /** The typed client from the installed package, signed in with the host's own token. */
  const auditClient = () => packed('dist/client').createAuditLogClient({ url: `${origin}/audit-log/trpc`, fetch: realmSafeFetch, headers: () => ({ authorization: `Bearer ${token}` }) });

  beforeAll(async () => {
    const tarball = packedTarball();
    host = createHostProject('rest-host', { type: 'commonjs', dependencies: ['express@4', 'mongoose@8', '@trpc/client@11', tarball], files: recipeFiles('rest-host/') });
    databases = await openHostDatabases('pkg_rest', SECRETS);
    const { salt, passwordHash } = require(join(host.dir, 'auth.js')).hashPassword('s3cret-password') as { salt: string; passwordHash: string };
    await db().collection('users').insertOne({ email: 'ada@acme.test', name: 'Ada Admin', role: 'admin', salt, passwordHash });
    env = { ...databases.env, PUBLIC_URL: 'https://crm.example.com' };
    await startCrm({ IN_PROCESS_WORKER: '1' });
  }, 600_000);

  afterAll(async () => {
    await crm?.stop();
    await databases?.close();
    host?.remove();
  });

  it('installs without build or test tooling and without install scripts', () => {
    const manifests = installedManifests(join(host.dir, 'node_modules'));
    const names = new Set(manifests.map((manifest) => manifest.name));
    for (const tooling of ['jest', '@swc/core', '@swc/jest', 'mongodb-memory-server', 'vite', 'playwright-core']) expect(names.has(tooling)).toBe(false);
    const ours = packed('package.json') as { dependencies: Record<string, string>; scripts?: Record<string, string> };
    expect(Object.keys(ours.dependencies).sort()).toEqual(['bowser', 'bullmq', 'cors', 'exceljs', 'helmet', 'ioredis', 'pino', 'superjson', 'zod']);
    // typescript is there only because @trpc/server (our peer) requires it as its own peer.
    const trpcServer = manifests.find((manifest) => manifest.name === '@trpc/server') as { peerDependencies?: Record<string, string> } | undefined;
    if (names.has('typescript')) expect(trpcServer?.peerDependencies?.typescript).toBeDefined();
    // Ours has none; what the tree has (msgpackr's native speed-up, under bullmq) is optional, and works without its script.
    const hasInstallScript = (manifest: { scripts?: Record<string, string> }) => !!(manifest.scripts?.install || manifest.scripts?.postinstall || manifest.scripts?.preinstall);
    expect(hasInstallScript(ours)).toBe(false);
    const optional = new Set(manifests.flatMap((manifest) => Object.keys((manifest as { optionalDependencies?: object }).optionalDependencies ?? {})));
    expect(manifests.filter(hasInstallScript).map((manifest) => manifest.name).filter((name) => !optional.has(name))).toEqual([]);
  });

  it('records a signed-in user’s actions on query-style writes, with sensitive fields by name only', async () => {
    token = (await api('POST', '/api/auth/login', { email: 'ada@acme.test', password: 's3cret-password' })).token;
    await api('POST', '/api/users', { email: 'max@acme.test', name: 'Max Member', role: 'member', password: 'another-password' });
    const contact = await api('POST', '/api/contacts', { name: 'Grace Hopper', email: 'grace@navy.test', stage: 'lead' });
    await api('GET', `/api/contacts/${contact._id}`);
    await api('PUT', `/api/contacts/${contact._id}`, { stage: 'customer', phone: '+1 555 0100' });
    await api('DELETE', `/api/contacts/${contact._id}`);

    const audit = auditClient();
    const stored = await eventsOnceStored(audit, { limit: 20 }, (events) => events.some((event) => event.metadata?.soft === true));
    const items = stored.filter((event) => event.action !== 'audit_log.viewed'); // the admin's own searches are events too
    expect(items.map((event: Json) => event.action).slice(0, 6)).toEqual(['record.deleted', 'record.updated', 'record.viewed', 'record.created', 'record.created', 'user.login']);
    const [deleted, updated] = items;
    expect(deleted).toMatchObject({ tenantId: 'acme', actor: { name: 'Ada Admin' }, subject: { type: 'contact', id: contact._id, name: 'Grace Hopper' }, metadata: { soft: true } });
    expect(updated.changes).toEqual(expect.arrayContaining([{ field: 'stage', before: 'lead', after: 'customer' }, { field: 'phone', after: '+1 555 0100' }]));
    const userCreated = items.find((event: Json) => event.subject?.type === 'user');
    expect(userCreated.changes).toEqual(expect.arrayContaining([{ field: 'salt', redacted: true }, { field: 'passwordHash', redacted: true }]));
    expect(JSON.stringify(userCreated)).not.toContain('another-password');
    expect(items.find((event: Json) => event.action === 'user.login')).toMatchObject({ actor: { name: 'Ada Admin' } });

    const byId = await audit.auditLog.events.byId.query({ id: updated.id });
    expect(byId).toEqual(updated);
    const facets = await audit.auditLog.events.facets.query({});
    expect(facets.actors).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Ada Admin' })]));
  });

  it('records bulkWrite and multi-record updates, keeping the full id list beyond 100 records', async () => {
    const inserted = await api('POST', '/api/contacts/bulk-write', { operations: Array.from({ length: 150 }, (_, n) => ({ insertOne: { document: { name: `Bulk ${n}`, stage: 'lead' } } })) });
    expect(inserted.insertedCount).toBe(150);
    const ids = Object.values(inserted.insertedIds) as string[];
    expect((await api('POST', '/api/contacts/bulk-stage', { ids, stage: 'qualified' })).modified).toBe(150);

    const audit = auditClient();
    const [bulk] = await eventsOnceStored(audit, { actions: ['records.bulk_edited'], limit: 1 }, (events) => events.length > 0);
    expect(bulk).toMatchObject({ affected: { count: 150 }, changes: [{ field: 'stage', after: 'qualified' }], actor: { name: 'Ada Admin' } });
    expect(bulk.affected.ids).toHaveLength(100);
    const chunks = await db().collection('audit_affected_records').find({ listId: bulk.affected.listId }).toArray();
    expect(chunks.flatMap((chunk) => chunk.ids).sort()).toEqual([...ids].sort());
    // bulkWrite records each insertOne as the create it is, as Contact.create would.
    const created = await audit.auditLog.events.list.query({ actions: ['record.created'], search: 'Bulk', limit: 200 });
    expect(created.items).toHaveLength(150);
  });

  it('delivers a live event through the client', async () => {
    const audit = auditClient();
    const received: Json[] = [];
    const subscription = audit.auditLog.events.live.subscribe({ search: 'Live Lovelace' }, { onData: (event: Json) => received.push(event) });
    try {
      await waitUntil(async () => {
        if (received.length > 0) return true;
        await api('POST', '/api/contacts', { name: 'Live Lovelace', stage: 'lead' });
        return false;
      }, 'a live event', 20_000, 1_000);
      expect(received[0]).toMatchObject({ action: 'record.created', subject: { name: 'Live Lovelace' } });
      expect(received[0].occurredAt).toBeInstanceOf(Date);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('exports CSV with the in-process worker, notifies, and serves the file through the host’s URL', async () => {
    const audit = auditClient();
    const { id } = await audit.auditLog.exports.create.mutate({ format: 'csv', filters: { search: 'Bulk' } });
    const done = await waitForExport(audit, id);
    expect(done.file.downloadUrl).toMatch(/^https:\/\/crm\.example\.com\/audit-log\/exports\//);
    const response = await fetch(`${origin}${new URL(done.file.downloadUrl).pathname}${new URL(done.file.downloadUrl).search}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const csv = await response.text();
    expect(csv.trim().split('\r\n')).toHaveLength(done.file.rows + 1);
    expect(done.file.rows).toBeGreaterThanOrEqual(2);
    const notifications = await audit.auditLog.notifications.list.query({});
    expect(notifications.items).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'export.completed', exportId: id })]));
  });

  it('pages on after the host restarted, and exports XLSX through a standalone worker started with the bin', async () => {
    const audit = auditClient();
    const first = await audit.auditLog.events.list.query({ search: 'Bulk', limit: 40 });
    const second = await audit.auditLog.events.list.query({ search: 'Bulk', limit: 40, cursor: first.nextCursor });
    // The recipe's SIGTERM handler: auditLog.close({ httpServer }), then a clean exit.
    expect(await crm.stop()).toBe(0);
    await startCrm(); // no in-process worker this time
    const restarted = auditClient();
    const third = await restarted.auditLog.events.list.query({ search: 'Bulk', limit: 40, cursor: second.nextCursor });
    const ids = [...first.items, ...second.items, ...third.items].map((event: Json) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    const all = await restarted.auditLog.events.list.query({ search: 'Bulk', limit: 200 });
    expect(ids).toEqual(all.items.slice(0, ids.length).map((event: Json) => event.id));

    const worker = await startHostProcess(host.bin('crm-audit-log'), ['worker'], { cwd: host.dir, env, ready: /export worker running/ });
    try {
      const { id } = await restarted.auditLog.exports.create.mutate({ format: 'xlsx', filters: { search: 'Grace' } });
      const done = await waitForExport(restarted, id);
      const url = new URL(done.file.downloadUrl);
      const response = await fetch(`${origin}${url.pathname}${url.search}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as never);
      expect(workbook.worksheets[0]!.rowCount).toBe(done.file.rows + 1);
    } finally {
      expect(await worker.stop()).toBe(0);
    }
  });

  it('serves the same events through the standalone API started with the bin', async () => {
    const apiProcess = await startHostProcess(host.bin('crm-audit-log'), ['api'], { cwd: host.dir, env: { ...env, PORT: String(await findFreePort()) }, ready: /audit-log API listening/ });
    try {
      const apiToken = packed('').signApiToken({ tenantId: 'acme', actorId: 'ops', actorName: 'Ops', role: 'admin' }, SECRETS.API_TOKEN_SECRET);
      const port = Number(/127\.0\.0\.1:(\d+)\/trpc/.exec(apiProcess.output())![1]);
      const standalone = packed('dist/client').createAuditLogClient({ url: `http://127.0.0.1:${port}/trpc`, fetch: realmSafeFetch, headers: () => ({ authorization: `Bearer ${apiToken}` }) });
      const viaApi = await standalone.auditLog.events.list.query({ search: 'Grace', limit: 10 });
      const viaHost = await auditClient().auditLog.events.list.query({ search: 'Grace', limit: 10 });
      expect(viaApi.items.map((event: Json) => event.id)).toEqual(viaHost.items.map((event: Json) => event.id));
      expect(viaApi.items.length).toBeGreaterThan(0);
    } finally {
      expect(await apiProcess.stop()).toBe(0);
    }
  });

  it('erases a contact’s personal data from every earlier event', async () => {
    const contact = await api('POST', '/api/contacts', { name: 'Erin Erasable', email: 'erin@erase.test', stage: 'lead' });
    await api('PUT', `/api/contacts/${contact._id}`, { email: 'erin.new@erase.test' });
    const erased = await api('POST', `/api/contacts/${contact._id}/erase`, {});
    expect(erased.relatedEventsPseudonymised).toBeGreaterThanOrEqual(2);
    const audit = auditClient();
    await eventsOnceStored(audit, { actions: ['data.erased'] }, (events) => events.some((event) => event.subject?.id === contact._id));
    expect((await audit.auditLog.events.list.query({ search: 'Erin' })).items).toEqual([]);
    const stored = await db().collection('audit_events').find({ 'subject.id': contact._id }).toArray();
    expect(JSON.stringify(stored)).not.toMatch(/Erin|erin@|erin\.new@/);
    expect(stored.map((event) => event.action)).toEqual(expect.arrayContaining(['record.created', 'record.updated', 'data.erased']));
    expect(await db().collection('audit_events').countDocuments({ _id: new ObjectId(erased.eventId) })).toBe(1);
  });
});

/** The first page once `ready` holds for it: the host writes events in batches, shortly after each request. */
async function eventsOnceStored(client: Json, query: Json, ready: (events: Json[]) => boolean): Promise<Json[]> {
  let items: Json[] = [];
  await waitUntil(async () => ready((items = (await client.auditLog.events.list.query(query)).items)), `events for ${JSON.stringify(query)}`, 10_000, 100);
  return items;
}

async function waitForExport(client: Json, id: string): Promise<Json> {
  let view: Json;
  await waitUntil(async () => {
    view = await client.auditLog.exports.byId.query({ id });
    if (view.status === 'failed' || view.status === 'cancelled') throw new Error(`export ${view.status}: ${view.failureReason}`);
    return view.status === 'completed';
  }, `export ${id}`, 60_000, 250);
  return view;
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs: number, everyMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, everyMs));
  }
}

