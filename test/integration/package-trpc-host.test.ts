import { execFile, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from '../../server/db/embedded-mongo';
import { realmSafeFetch } from '../helpers/realm-safe-fetch';
import { createHostProject, openHostDatabases, packedTarball, recipeFiles, startHostProcess, type HostProcess, type HostProject } from '../helpers/packed-package';

/**
 * The packed package in a tRPC host written in ESM TypeScript, express 5, mongoose 9 (driver 7):
 * docs/INSTALL.md's second recipe, type-checked with `tsc`, its own router with ours mounted.
 */
const SECRETS = { AUDIT_LOG_SECRET: 'trpc-host-audit-secret-0123456789abcdef', CRM_TOKEN_SECRET: 'trpc-host-token-secret-0123456789', API_TOKEN_SECRET: 'trpc-host-api-token-secret-0123456789ab' };
const ADMIN = { id: 'u-ada', tenantId: 'globex', name: 'Ada Admin', role: 'admin' };
const OTHER_TENANT_ADMIN = { id: 'u-otto', tenantId: 'initech', name: 'Otto Other', role: 'admin' };

type Json = any;

const execFileAsync = promisify(execFile);

/** The host's own token format (context.ts): what its login would hand its frontend. */
const tokenFor = (user: object) => {
  const body = Buffer.from(JSON.stringify(user)).toString('base64url');
  return `${body}.${createHmac('sha256', SECRETS.CRM_TOKEN_SECRET).update(body).digest('base64url')}`;
};

describe('a tRPC host in ESM TypeScript on mongoose 9 and express 5, from the packed tarball', () => {
  let host: HostProject;
  let crm: HostProcess;
  let databases: Awaited<ReturnType<typeof openHostDatabases>>;
  let env: Record<string, string>;
  let origin: string;
  const packed = (path: string) => require(join(host.dir, 'node_modules/crm-audit-log', path)) as Json;
  const client = (user: object = ADMIN) =>
    packed('dist/client').createAuditLogClient({ url: `${origin}/trpc`, fetch: realmSafeFetch, headers: () => ({ authorization: `Bearer ${tokenFor(user)}` }) });
  const startCrm = async (extra: Record<string, string> = {}) => {
    crm = await startHostProcess(process.execPath, ['dist/server.js'], { cwd: host.dir, env: { ...env, ...extra }, ready: /listening on (\d+)/ });
    origin = `http://127.0.0.1:${crm.port}`;
  };

  beforeAll(async () => {
    const tarball = packedTarball();
    host = createHostProject('trpc-host', {
      type: 'module',
      dependencies: ['express@5', 'mongoose@9', '@trpc/server@11', '@trpc/client@11', 'superjson@2', 'zod@4', 'typescript@5', '@types/express@5', '@types/node@20', tarball],
      files: recipeFiles('trpc-host/'),
    });
    databases = await openHostDatabases('pkg_trpc', SECRETS);
    env = { ...databases.env };
  }, 600_000);

  afterAll(async () => {
    await crm?.stop();
    await databases?.close();
    host?.remove();
  });

  it('type-checks and builds with tsc, strict, without skipLibCheck', () => {
    execFileSync(host.bin('tsc'), ['-p', '.'], { cwd: host.dir, encoding: 'utf8' });
  });

  it('resolves the package’s types under node16, nodenext, bundler and legacy node resolution', async () => {
    const probe = join(host.dir, 'types-probe');
    mkdirSync(probe, { recursive: true });
    writeFileSync(
      join(probe, 'probe.ts'),
      [
        "import { createAuditLog, type AuditLog, type AuditEventInput } from 'crm-audit-log';",
        "import { createAuditLogClient, type AuditEvent } from 'crm-audit-log/client';",
        'export const make: typeof createAuditLog = createAuditLog;',
        "export const input: AuditEventInput = { action: 'record.viewed', description: 'Viewed' };",
        "export const list = (url: string) => createAuditLogClient({ url }).auditLog.events.list.query({ limit: 5 });",
        'export type Both = [AuditLog, AuditEvent];',
        // The probes skip checking declaration files; were a type lost to an unresolved import there it
        // would be `any`, and these two lines would no longer be errors: tsc fails on an unused expectation.
        '// @ts-expect-error an action is a string',
        'export const wrong: AuditEventInput = { action: 42, description: 1 };',
        '// @ts-expect-error limit is a number',
        "export const wrongList = (url: string) => createAuditLogClient({ url }).auditLog.events.list.query({ limit: 'five' });",
        '',
      ].join('\n'),
    );
    const modes = [
      ['--module', 'node16', '--moduleResolution', 'node16'],
      ['--module', 'nodenext', '--moduleResolution', 'nodenext'],
      ['--module', 'esnext', '--moduleResolution', 'bundler'],
      ['--module', 'commonjs', '--moduleResolution', 'node10'],
    ];
    // What each mode tests is resolution and use: the declarations themselves are checked whole by the
    // build above (no skipLibCheck), so these skip checking .d.ts files (~15 CPU-s each otherwise). One
    // tsc process per mode, all at once.
    const failures = await Promise.all(
      modes.map(async (mode) => {
        const args = ['--noEmit', '--strict', '--esModuleInterop', '--skipLibCheck', '--target', 'es2022', '--types', 'node', ...mode, join(probe, 'probe.ts')];
        try {
          await execFileAsync(host.bin('tsc'), args, { cwd: host.dir, encoding: 'utf8' });
          return undefined;
        } catch (error) {
          return `tsc ${mode.join(' ')}: ${(error as { stdout?: string }).stdout ?? String(error)}`;
        }
      }),
    );
    expect(failures.filter(Boolean)).toEqual([]);
  }, 300_000);

  it('records the host’s tRPC writes as its users, and keeps tenants apart', async () => {
    await startCrm({ IN_PROCESS_WORKER: '1' });
    const trpc = hostCall(origin, tokenFor(ADMIN));
    const dealId = await trpc('deals.create', { title: 'Initech renewal', amount: 1200 });
    await trpc('deals.advance', { id: dealId, stage: 'won' });
    for (let n = 0; n < 119; n++) await trpc('deals.create', { title: `Deal ${n}`, amount: n });
    expect(await trpc('deals.bulkStage', { stage: 'closed' })).toBe(120);

    const audit = client();
    const [bulk] = await eventsOnceStored(audit, { actions: ['records.bulk_edited'] }, (events) => events.length > 0);
    expect(bulk).toMatchObject({ tenantId: 'globex', actor: { id: 'u-ada', name: 'Ada Admin' }, affected: { count: 120 } });
    const chunks = await databases.db().collection('audit_affected_records').find({ listId: bulk.affected.listId }).toArray();
    expect(chunks.flatMap((chunk) => chunk.ids)).toHaveLength(120);
    const [advanced] = (await audit.auditLog.events.list.query({ actions: ['record.updated'], subjectId: dealId, subjectType: 'deal' })).items;
    expect(advanced.changes).toEqual([{ field: 'stage', before: 'lead', after: 'won' }]);
    expect(await audit.auditLog.events.byId.query({ id: advanced.id })).toEqual(advanced);
    expect((await audit.auditLog.events.facets.query({})).actions).toEqual(expect.arrayContaining([{ value: 'record.created', count: 120 }]));
    expect((await client(OTHER_TENANT_ADMIN).auditLog.events.list.query({})).items.filter((event: Json) => event.action !== 'audit_log.viewed')).toEqual([]);
  });

  it('streams a live event through the client', async () => {
    const received: Json[] = [];
    const subscription = client().auditLog.events.live.subscribe({ actions: ['record.created'] }, { onData: (event: Json) => received.push(event) });
    const trpc = hostCall(origin, tokenFor(ADMIN));
    try {
      const deadline = Date.now() + 20_000;
      while (received.length === 0 && Date.now() < deadline) {
        await trpc('deals.create', { title: 'Live deal', amount: 1 });
        await new Promise((done) => setTimeout(done, 500));
      }
      expect(received[0]).toMatchObject({ action: 'record.created', subject: { type: 'deal', name: 'Live deal' }, actor: { id: 'u-ada' } });
    } finally {
      subscription.unsubscribe();
    }
  });

  it('refuses a batch of more than 10 calls, as the recipe mounts /trpc', async () => {
    const batch = async (calls: number) => {
      const paths = Array.from({ length: calls }, () => 'auditLog.events.actions').join(',');
      const input = encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: calls }, (_, index) => [index, {}]))));
      return realmSafeFetch(`${origin}/trpc/${paths}?batch=1&input=${input}`, { headers: { authorization: `Bearer ${tokenFor(ADMIN)}` } });
    };
    expect((await batch(10)).status).toBe(200);
    const refused = await batch(11);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Batch call exceeds maximum size');
  });

  it('exports CSV in-process, then XLSX through a bin worker after a restart, downloading through the host and paging on', async () => {
    const audit = client();
    const { id } = await audit.auditLog.exports.create.mutate({ format: 'csv', filters: { actions: ['record.created'] } });
    const csv = await waitForExport(audit, id);
    const csvResponse = await fetch(`${origin}${csv.file.downloadUrl}`, { headers: { authorization: `Bearer ${tokenFor(ADMIN)}` } });
    expect(csvResponse.status).toBe(200);
    expect((await csvResponse.text()).trim().split('\r\n')).toHaveLength(csv.file.rows + 1);
    expect((await audit.auditLog.notifications.list.query({})).items).toEqual(expect.arrayContaining([expect.objectContaining({ exportId: id, kind: 'export.completed' })]));

    const first = await audit.auditLog.events.list.query({ actions: ['record.created'], limit: 50 });
    // The recipe's SIGTERM handler: auditLog.close({ httpServer }), then a clean exit.
    expect(await crm.stop()).toBe(0);
    await startCrm();
    const again = client();
    const second = await again.auditLog.events.list.query({ actions: ['record.created'], limit: 50, cursor: first.nextCursor });
    const ids = [...first.items, ...second.items].map((event: Json) => event.id);
    expect(new Set(ids).size).toBe(100);

    const worker = await startHostProcess(host.bin('crm-audit-log'), ['worker'], { cwd: host.dir, env, ready: /export worker running/ });
    try {
      const xlsx = await waitForExport(again, (await again.auditLog.exports.create.mutate({ format: 'xlsx' })).id);
      const response = await fetch(`${origin}${xlsx.file.downloadUrl}`, { headers: { authorization: `Bearer ${tokenFor(ADMIN)}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/spreadsheetml/);
    } finally {
      expect(await worker.stop()).toBe(0);
    }
  });

  it('serves the tenant’s events through the standalone API started with the bin', async () => {
    const port = await findFreePort();
    const api = await startHostProcess(host.bin('crm-audit-log'), ['api'], { cwd: host.dir, env: { ...env, PORT: String(port) }, ready: /audit-log API listening/ });
    try {
      const token = packed('').signApiToken({ tenantId: 'globex', actorId: 'ops', role: 'admin' }, SECRETS.API_TOKEN_SECRET);
      const standalone = packed('dist/client').createAuditLogClient({ url: `http://127.0.0.1:${port}/trpc`, fetch: realmSafeFetch, headers: () => ({ authorization: `Bearer ${token}` }) });
      const [bulk] = (await standalone.auditLog.events.list.query({ actions: ['records.bulk_edited'] })).items;
      expect(bulk).toMatchObject({ tenantId: 'globex', affected: { count: 120 } });
    } finally {
      expect(await api.stop()).toBe(0);
    }
  });

  it('erases a person from every earlier event', async () => {
    const trpc = hostCall(origin, tokenFor(ADMIN));
    const personId = await trpc('people.create', { name: 'Petra Private', email: 'petra@private.test' });
    const audit = client();
    await eventsOnceStored(audit, { search: 'Petra' }, (events) => events.length > 0);
    const erased = await trpc('people.erase', { id: personId });
    // The create event, and the admin's own searches for her name recorded before the erase.
    expect(erased.relatedEventsPseudonymised).toBeGreaterThanOrEqual(1);
    expect((await audit.auditLog.events.list.query({ search: 'Petra' })).items).toEqual([]);
    const stored = await databases.db().collection('audit_events').find({ 'subject.id': personId }).toArray();
    expect(JSON.stringify(stored)).not.toMatch(/Petra|petra@/);
  });
});

/** The host's own procedures over plain HTTP (superjson on the wire), as its frontend calls them. */
function hostCall(origin: string, token: string) {
  return async (path: string, input: unknown): Promise<Json> => {
    const response = await fetch(`${origin}/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ json: input }),
    });
    const body = (await response.json()) as Json;
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
    return body.result.data.json;
  };
}

async function eventsOnceStored(client: Json, query: Json, ready: (events: Json[]) => boolean): Promise<Json[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { items } = await client.auditLog.events.list.query(query);
    if (ready(items)) return items;
    if (Date.now() > deadline) throw new Error(`events for ${JSON.stringify(query)} not stored in time`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function waitForExport(client: Json, id: string): Promise<Json> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const view = await client.auditLog.exports.byId.query({ id });
    if (view.status === 'completed') return view;
    if (view.status === 'failed' || view.status === 'cancelled' || Date.now() > deadline) throw new Error(`export ${id}: ${view.status} ${view.failureReason ?? ''}`);
    await new Promise((done) => setTimeout(done, 250));
  }
}
