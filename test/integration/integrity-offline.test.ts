import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import type { Document } from 'mongodb';
import pino from 'pino';
import { createEventSealsRepository, EVENT_SEALS_COLLECTION } from '../../server/events';
import { CHECKPOINTS_COLLECTION, chainEntry, consistencyProofRanges, createIntegrity, generateSigningKey, LOGS_COLLECTION, NODES_COLLECTION, type InconsistencyAlarm } from '../../server/integrity';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { download, waitForExport } from '../helpers/exports';
import { admin, makeEvent } from '../helpers/test-events';

/**
 * Offline verification with the package's real bin (`crm-audit-log verify`, run as a separate
 * process through the swc loader): an NDJSON and a CSV export with their signed manifests, and the
 * chain of checkpoints the file sink published, checked with the public key alone (no database, no
 * network: the process gets only files). Flipping one byte of any file fails. Then the whole log
 * recomputed without the signing key is caught against the published chain.
 */
const KEY = generateSigningKey('offline-2026');
const TENANT = 'tenant-offline';
const CLI = join(__dirname, '../../workers/cli.ts');
const REGISTER = require.resolve('../helpers/swc-register.js');

let stack: AuditStack;
let worker: Worker;
let dir: string;
const alarms: InconsistencyAlarm[] = [];

function bin(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    // An empty environment: the verifier needs neither MONGODB_URI nor REDIS_URL.
    execFile(process.execPath, ['--require', REGISTER, CLI, ...args], { env: { PATH: process.env.PATH ?? '' }, timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

async function flipped(path: string, at: (length: number) => number): Promise<string> {
  const bytes = await readFile(path);
  const index = at(bytes.length);
  bytes[index] = bytes[index]! ^ 0x01;
  const copy = `${path}.flipped`;
  await writeFile(copy, bytes);
  return copy;
}

/** The export's file and manifest, downloaded as the requester would, saved beside the public key file. */
async function exported(format: 'ndjson' | 'csv'): Promise<{ file: string; manifest: string }> {
  const client = stack.client(admin(TENANT));
  const done = await waitForExport(client, (await client.auditLog.exports.create.mutate({ format })).id);
  expect(done.file?.manifestUrl).toBeDefined();
  const file = join(dir, `export.${format}`);
  const manifest = join(dir, `export.${format}.manifest.json`);
  await writeFile(file, Buffer.from(await (await download(stack, done.file!.downloadUrl, admin(TENANT))).arrayBuffer()));
  const answer = await download(stack, done.file!.manifestUrl!, admin(TENANT));
  expect(answer.status).toBe(200);
  await writeFile(manifest, await answer.text());
  return { file, manifest };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-offline-'));
  stack = await startAuditStack('integrity_offline', {
    integrity: {
      signingKey: KEY.signerKey,
      // Sealed when the test (and each export) asks: checkpointNow beside the background pass of the
      // same sealer can lose its lease mid-batch (reported to the core's owner).
      seal: false,
      publish: { directory: join(dir, 'published'), onInconsistent: (alarm) => alarms.push(alarm) },
    },
  });
  worker = await stack.server.startWorker({ logger: pino({ level: 'silent' }), progressIntervalMs: 200 });
  const start = Date.parse('2026-11-20T09:00:00Z');
  await stack.seed(Array.from({ length: 40 }, (_, i) => makeEvent({ tenantId: TENANT, occurredAt: new Date(start + i * 60_000), description: `Changed deal ${i}`, metadata: { deal: i } })));
  await stack.services.integrity.sealer.checkpointNow(TENANT);
  // The public key as the API serves it, kept by the auditor.
  await writeFile(join(dir, 'public-keys.json'), JSON.stringify(await stack.client(admin(TENANT)).auditLog.integrity.publicKeys.query()));
}, 180_000);

afterAll(async () => {
  await worker?.close();
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

const publicKey = () => join(dir, 'public-keys.json');

describe('crm-audit-log verify, offline', () => {
  it('verifies an NDJSON export with the public key alone, and fails it when one byte of the file or of the manifest is flipped', async () => {
    const { file, manifest } = await exported('ndjson');
    const verified = await bin(['verify', '--public-key', publicKey(), '--export', file, '--manifest', manifest]);
    expect(verified).toMatchObject({ code: 0, output: expect.stringMatching(/^VERIFIED .*NDJSON, \d+ rows/) });
    expect(verified.output).toMatch(/lines, each recomputed and proven in that tree/);

    const [fileFlipped, manifestFlipped] = await Promise.all([
      bin(['verify', '--public-key', publicKey(), '--export', await flipped(file, (length) => Math.floor(length / 2)), '--manifest', manifest]),
      bin(['verify', '--public-key', publicKey(), '--export', file, '--manifest', await flipped(manifest, (length) => Math.floor(length / 2))]),
    ]);
    expect(fileFlipped).toMatchObject({ code: 1, output: expect.stringContaining('NOT VERIFIED') });
    expect(fileFlipped.output).toMatch(/SHA-256 .* the file is not the one that was signed/);
    expect(manifestFlipped).toMatchObject({ code: 1, output: expect.stringContaining('NOT VERIFIED') });
  });

  it('verifies a CSV export with its companion manifest, and fails it when one byte is flipped', async () => {
    const { file, manifest } = await exported('csv');
    const verified = await bin(['verify', '--public-key', publicKey(), '--export', file, '--manifest', manifest]);
    expect(verified).toMatchObject({ code: 0, output: expect.stringMatching(/^VERIFIED .*CSV, \d+ rows/) });
    const broken = await bin(['verify', '--public-key', publicKey(), '--export', await flipped(file, (length) => length - 3), '--manifest', manifest]);
    expect(broken).toMatchObject({ code: 1, output: expect.stringContaining('the file is not the one that was signed') });
  });

  it('refuses a manifest when the verifier holds another key', async () => {
    const { file, manifest } = await exported('csv');
    await writeFile(join(dir, 'other-key.txt'), `${generateSigningKey('offline-2026').verifierKey}\n`);
    const answer = await bin(['verify', '--public-key', join(dir, 'other-key.txt'), '--export', file, '--manifest', manifest]);
    expect(answer).toMatchObject({ code: 1, output: expect.stringContaining('not among the public keys given') });
  });

  it('answers bad usage with the usage and exit code 2', async () => {
    expect(await bin(['verify', '--export', 'x'])).toMatchObject({ code: 2, output: expect.stringContaining('crm-audit-log verify --public-key') });
  });
});

describe('checkpoints published outside the database', () => {
  const chainFile = () => join(dir, 'published', `${TENANT}.checkpoints.ndjson`);

  it('appends a chain that the bin verifies, and a flipped byte fails it', async () => {
    expect((await readFile(chainFile(), 'utf8')).trim().split('\n').length).toBeGreaterThanOrEqual(1);
    expect(await bin(['verify', '--public-key', publicKey(), '--checkpoints', chainFile()])).toMatchObject({ code: 0, output: expect.stringContaining(`checkpoints of tenant ${TENANT}, each append-only`) });
    const broken = await bin(['verify', '--public-key', publicKey(), '--checkpoints', await flipped(chainFile(), (length) => length - 20)]);
    expect(broken.code).toBe(1);
  });

  it('detects a later checkpoint over a log recomputed without the signing key: refused by the publisher and by the bin against the published copy', async () => {
    const published = await readFile(chainFile(), 'utf8');
    const db = stack.mongo.connection.db!;
    const raw = { events: db.collection(stack.events.collectionName), nodes: db.collection(NODES_COLLECTION), logs: db.collection(LOGS_COLLECTION), checkpoints: db.collection(CHECKPOINTS_COLLECTION) };
    // The attacker edits an event, throws the tree and its checkpoints away and seals everything
    // again with a sealer of their own, which has no signing key.
    const victim = await raw.events.findOne({ tenantId: TENANT, description: 'Changed deal 3' });
    await raw.events.updateOne({ _id: victim!._id }, { $set: { description: 'Nothing changed' } });
    await Promise.all([db.collection(EVENT_SEALS_COLLECTION).deleteMany({ tenantId: TENANT }), raw.nodes.deleteMany({ tenantId: TENANT }), raw.logs.deleteOne({ _id: TENANT } as Document), raw.checkpoints.deleteMany({ tenantId: TENANT })]);
    const attacker = createIntegrity({ db: stack.services.db, events: createEventSealsRepository(stack.services.db), logger: stack.services.logger });
    await attacker.sealer.sealAll({ tenants: [TENANT] });
    await raw.logs.updateOne({ _id: TENANT } as Document, { $set: { lease: null } });

    // Life goes on: new events, and the real key signs a checkpoint over the rewritten tree.
    await stack.seed([makeEvent({ tenantId: TENANT, occurredAt: new Date('2026-11-21T09:00:00Z'), description: 'After the rewrite' })]);
    const later = (await stack.services.integrity.sealer.checkpointNow(TENANT))!;
    await waitFor(() => alarms.some((alarm) => alarm.checkpoint.size === later.size));
    expect(alarms.find((alarm) => alarm.checkpoint.size === later.size)).toMatchObject({ tenantId: TENANT, detail: expect.stringContaining('does not extend the published tree') });
    expect(await readFile(chainFile(), 'utf8')).toBe(published);

    // A tenant holding the published chain appends what the server now answers: the bin names it.
    const lastPublishedSize = Number(JSON.parse(published.trim().split('\n').at(-1)!).checkpoint.split('\n')[1]);
    const proof = await stack.services.integrity.nodeHashes(TENANT, consistencyProofRanges(lastPublishedSize, later.size));
    const tenantCopy = join(dir, 'tenant-copy.ndjson');
    await writeFile(tenantCopy, `${published}${JSON.stringify(chainEntry(later, { fromSize: lastPublishedSize, proof }))}\n`);
    const answer = await bin(['verify', '--public-key', publicKey(), '--checkpoints', tenantCopy]);
    expect(answer).toMatchObject({ code: 1, output: expect.stringMatching(/inconsistent: .* the log was rewritten/) });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 100));
  }
}
