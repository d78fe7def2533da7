import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectTestRedis, type TestRedis } from '../helpers/test-databases';

/**
 * `require('crm-audit-log')` must not load what the host's configuration does not use: bullmq,
 * ioredis and exceljs were most of the heap a host held after `require` alone (issue 17,
 * docs/PERFORMANCE.md). A fresh process per question, so nothing a suite loaded counts.
 */
const ROOT = join(__dirname, '../..');
const HEAVY = ['bullmq', 'ioredis', 'exceljs', 'archiver', 'jszip'] as const;
const run = promisify(execFile);
/** The API side's own modules: a host that only captures, or has not served an API request yet, holds none of them. */
const API_SIDE = ['server/router', 'server/http/express-router', 'server/connected-services', 'server/exports/', 'server/trpc', 'server/events/events.router', 'server/notifications/', 'node_modules/@trpc/server/'] as const;
const apiSideLoaded = `apiSide.filter((part) => files.some((file) => file.includes('/' + part)))`;

/** What of HEAVY a fresh process has loaded after `steps` (a script over `auditLog` and `pkg`). */
async function loadedAfter(steps: string, loadedOf = `heavy.filter((name) => files.some((file) => file.includes('/node_modules/' + name + '/')))`): Promise<string[]> {
  const script = `
    const heavy = ${JSON.stringify(HEAVY)};
    const apiSide = ${JSON.stringify(API_SIDE)};
    const pkg = require(${JSON.stringify(join(ROOT, 'plugins'))});
    const mongoose = require('mongoose');
    const pino = require('pino');
    (async () => {
      ${steps}
      const files = Object.keys(require.cache);
      process.stdout.write(JSON.stringify(${loadedOf}));
      process.exit(0);
    })().catch((error) => { console.error(error); process.exit(1); });`;
  const { stdout } = await run(process.execPath, ['--require', join(ROOT, 'test/helpers/swc-register.js'), '-e', script], { cwd: ROOT, timeout: 60_000 });
  return JSON.parse(stdout) as string[];
}

/** The process exits right after the answer: its connection never opens, so nothing needs closing. */
const createAuditLog = (extra: string) =>
  `pkg.createAuditLog({ connection: mongoose.createConnection(), durability: { mode: 'memory' }, secret: 'x'.repeat(32), logger: pino({ level: 'silent' }) ${extra} });`;

const withRedis = () => `, redis: ${JSON.stringify(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')}, redisPrefix: ${JSON.stringify(redis.prefix)}`;

let redis: TestRedis;
beforeAll(async () => {
  redis = await connectTestRedis('lazy_deps');
});
afterAll(async () => {
  await redis.cleanup();
});

describe('the package entry', () => {
  it('loads none of bullmq, ioredis or exceljs when required', async () => {
    expect(await loadedAfter('')).toEqual([]);
  });

  it('still loads none of them once createAuditLog runs without Redis', async () => {
    expect(await loadedAfter(createAuditLog(''))).toEqual([]);
  });

  it('loads ioredis, not bullmq or exceljs, once createAuditLog is given Redis', async () => {
    expect(await loadedAfter(createAuditLog(withRedis()))).toEqual(['ioredis']);
  });

  it('loads bullmq once an export worker starts', async () => {
    // The worker is never ready (the connection never opens): what counts is what starting it loaded.
    const loaded = await loadedAfter(`const auditLog = ${createAuditLog(withRedis())} void auditLog.startWorker().catch(() => undefined);`);
    expect(loaded).toEqual(['bullmq', 'ioredis']);
  });

  it('loads exceljs for an XLSX file, not for a CSV file', async () => {
    const writerOf = (format: string) => `
      const { createExportFileWriter } = require(${JSON.stringify(join(ROOT, 'server/exports/export-file-writer'))});
      const { PassThrough } = require('node:stream');
      const output = new PassThrough().resume();
      await createExportFileWriter(output, { format: '${format}', columns: ['occurredAt', 'action'], timeZone: 'UTC', actionLabels: new Map() }).finish();`;
    expect(await loadedAfter(writerOf('csv'))).toEqual([]);
    expect(await loadedAfter(writerOf('xlsx'))).toEqual(expect.arrayContaining(['exceljs']));
  });
});

describe('the API side', () => {
  it('is not loaded by createAuditLog and the plugin: a host that only captures holds only what capture needs', async () => {
    const steps = `const auditLog = ${createAuditLog('')} new mongoose.Schema({ name: String }).plugin(auditLog.plugin);`;
    expect(await loadedAfter(steps, apiSideLoaded)).toEqual([]);
  });

  it('builds the tRPC router when a host first asks for auditLog.router', async () => {
    const loaded = await loadedAfter(`const auditLog = ${createAuditLog('')} void auditLog.router;`, apiSideLoaded);
    expect(loaded).toEqual(expect.arrayContaining(['server/router']));
  });

  it('mounts the express router without building the API until its first request', async () => {
    const loaded = await loadedAfter(`const auditLog = ${createAuditLog('')} auditLog.expressRouter({ adminPage: true });`, apiSideLoaded);
    expect(loaded).toEqual(['server/http/express-router']);
  });
});
