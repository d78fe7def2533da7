import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BSON } from 'mongodb';
import mongoose, { type Connection } from 'mongoose';
import pino from 'pino';
import { createAuditLog, type AuditLog } from '../../plugins';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../server/db/embedded-mongo';
import { AUDIT_EVENTS_COLLECTION } from '../../server/events/event.model';
import type { TAuditEventInput } from '../../server/events/event.schema';
import { hashedPartBytes } from '../../server/events/stored-form';
import { auditContext } from '../../server/request-scope/audit-context';
import { connectTestRedis, uniqueName, type TestRedis } from '../helpers/test-databases';

const { EJSON } = BSON;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const EMAIL = 'Nora.Nobody@private.test';
/** What must be in no byte once she is erased (compared lower-cased). */
const PERSON = ['nora.nobody@private.test', 'nora.old@private.test', 'nora nobody'];
const holdsPerson = (text: string) => PERSON.some((value) => text.toLowerCase().includes(value));

/** Events that name her: as the actor (her e-mail), as the contact (name, old and new e-mail), as a failed sign-in. */
function eventsAboutNora(tenantId: string, contactId: string, label: string): TAuditEventInput[] {
  return [
    {
      tenantId,
      actor: { id: 'u-alice', type: 'user', name: 'Alice Admin', email: 'alice@acme.test' },
      action: 'record.updated',
      subject: { type: 'contact', id: contactId, name: 'Nora Nobody' },
      description: `Updated contact Nora Nobody (${label})`,
      changes: [{ field: 'email', before: 'nora.old@private.test', after: EMAIL }],
    },
    {
      tenantId,
      actor: { id: `unknown:${EMAIL}`, type: 'user', name: EMAIL },
      action: 'user.login_failed',
      status: 'failure',
      failureReason: 'wrong password',
      description: `Failed sign-in as ${EMAIL} (${label})`,
      metadata: { attemptedIdentity: EMAIL },
    },
    {
      tenantId,
      actor: { id: 'u-alice', type: 'user', name: 'Alice Admin', email: 'alice@acme.test' },
      action: 'record.created',
      subject: { type: 'discussion', id: `d-${label}`, name: `Call ${EMAIL.toLowerCase()} back` },
      description: `Created discussion "Call ${EMAIL.toLowerCase()} back" (${label})`,
    },
  ];
}

/** Small batches and a low memory bound, so an outage pushes events past it into the spill tier. */
const SMALL_RECORDER = { batchSize: 20, flushIntervalMs: 20, maxQueuedEvents: 50, backoff: { initialMs: 100, maxMs: 500, jitter: 0.1 } };

const hashedHex = (document: unknown) => hashedPartBytes(document as never).toString('hex');
// Relaxed: plain numbers (the canonical encoding refuses BSON's Int32 wrappers).
const parseEntry = (text: string) => EJSON.parse(text) as { _id: { toHexString(): string } };

async function storedDocuments(connection: Connection, tenantId: string) {
  return connection.collection(AUDIT_EVENTS_COLLECTION).find({ tenantId }).sort({ _id: 1 }).toArray();
}

/** Waits until the connection answers again after a restart of the server. */
async function reachable(connection: Connection): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await connection.db!.command({ ping: 1 });
      return;
    } catch (error) {
      if (attempt > 100) throw error;
      await sleep(200);
    }
  }
}

/** These suites stop their database, so they start one of their own rather than sharing the run's. */
let server: EmbeddedMongo;
let serverDown = false;
const stopServer = async () => {
  serverDown = true;
  await server.stop();
};
const restartServer = async () => {
  await server.restart();
  serverDown = false;
};
const connections: Connection[] = [];
/** Audit logs a test opened and has not closed: a failed test's are closed after it, so the run can exit. */
const unclosed = new Set<AuditLog>();
const opened = async (audit: AuditLog): Promise<AuditLog> => {
  unclosed.add(audit);
  await audit.ready;
  return audit;
};
const closeAudit = async (audit: AuditLog, options?: Parameters<AuditLog['close']>[0]): Promise<void> => {
  unclosed.delete(audit);
  await audit.close(options);
};
const connect = async (dbName: string) => {
  const connection = await mongoose.createConnection(server.uri, { dbName, serverSelectionTimeoutMS: 1_000, heartbeatFrequencyMS: 500 }).asPromise();
  connections.push(connection);
  return connection;
};

beforeAll(async () => {
  server = await startEmbeddedMongo({ preferFerret: process.env.AUDIT_TEST_MONGODB_KIND === 'ferretdb' });
});

// A failed test must not leave the next one without its server.
afterEach(async () => {
  if (serverDown) await restartServer();
  for (const audit of [...unclosed]) await closeAudit(audit, { timeoutMs: 1_000 }).catch(() => undefined);
});

afterAll(async () => {
  for (const connection of connections) await connection.close().catch(() => undefined);
  await server?.dispose();
});

describe('erasing a person while some of her events are spilled to Redis (memory mode)', () => {
  const tenantId = 'tenant-spill';
  const contactId = 'c-nora-spill';
  let redis: TestRedis;
  const spillKey = () => `${redis.prefix}:audit:spill`;

  beforeAll(async () => {
    redis = await connectTestRedis('erase_spill');
  });
  afterAll(() => redis?.cleanup());

  const open = async (connection: Connection): Promise<AuditLog> => {
    const audit = createAuditLog({
      connection,
      redis: redis.redis,
      redisPrefix: redis.prefix,
      logger: pino({ level: 'silent' }),
      durability: { mode: 'memory' },
      recorder: SMALL_RECORDER,
    });
    return opened(audit);
  };

  it('scrubs the spilled entries where they wait, and they are stored erased when written later', async () => {
    const dbName = uniqueName('erase_spill');
    const eraserConnection = await connect(dbName);
    const eraser = await open(eraserConnection);
    for (const event of eventsAboutNora(tenantId, contactId, 'stored')) eraser.record(event);
    await eraser.flush();

    // Another process of the host records while MongoDB is down and stops: its events go to the spill list.
    const writerConnection = await connect(dbName);
    const writer = await open(writerConnection);
    await stopServer();
    const spilledIds = eventsAboutNora(tenantId, contactId, 'spilled').map((event) => writer.record(event));
    await closeAudit(writer, { timeoutMs: 1_000 });
    // The process stops: its connection goes too. Kept open, the driver could still complete the insert
    // in flight once the server is back (its server selection waits up to 1 s), which stores those
    // events and takes them off the spill list before the erasure looks there.
    await writerConnection.close(true);
    const spilledBefore = await redis.redis.lrange(spillKey(), 0, -1);
    expect(spilledBefore.map((text) => parseEntry(text)._id.toHexString()).sort()).toEqual([...spilledIds].sort());
    expect(spilledBefore.filter(holdsPerson)).toHaveLength(spilledIds.length);
    const hashedBefore = new Map(spilledBefore.map((text) => [parseEntry(text)._id.toHexString(), hashedHex(parseEntry(text))]));
    await restartServer();
    await reachable(eraserConnection);

    const erasure = await auditContext.runAsSystem(tenantId, () => eraser.events.dataErased({ tenantId, subject: { type: 'contact', id: contactId }, erasedFields: ['name', 'email'], identities: [EMAIL] }));

    expect(erasure.spilledEvents).toBe(spilledIds.length);
    // The eraser reads the spill back soon after (its rewrite tells it there is a backlog): what is still there is erased.
    const spilledAfter = await redis.redis.lrange(spillKey(), 0, -1);
    expect(spilledAfter.filter(holdsPerson)).toEqual([]);
    for (const text of spilledAfter) expect(hashedHex(parseEntry(text))).toBe(hashedBefore.get(parseEntry(text)._id.toHexString()));

    // The next process of the host writes the spill: what it stores is the erased form.
    const reader = await open(await connect(dbName));
    await reader.flush();
    await eraser.flush();
    const stored = await storedDocuments(eraserConnection, tenantId);
    expect(stored.map((document) => document._id.toHexString())).toEqual(expect.arrayContaining(spilledIds));
    expect(stored.filter((document) => holdsPerson(EJSON.stringify(document)))).toEqual([]);
    for (const id of spilledIds) expect(hashedHex(stored.find((document) => document._id.toHexString() === id))).toBe(hashedBefore.get(id));
    expect(await redis.redis.llen(spillKey())).toBe(0);
    // Who did what when stays readable.
    const updated = stored.find((document) => document._id.toHexString() === spilledIds[0]);
    expect(updated).toMatchObject({ action: 'record.updated', actor: { id: 'u-alice' }, subject: { type: 'contact', id: contactId } });
    await closeAudit(reader);
    await closeAudit(eraser);
  }, 180_000);
});

/** Every byte of the write-ahead log's files under `root` (segments, rejected list), with each segment's lines. */
function walFiles(root: string): Array<{ path: string; text: string }> {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, text: readFileSync(path, 'utf8') }));
}
const walEntries = (root: string) =>
  walFiles(root)
    .filter(({ path }) => path.endsWith('.wal'))
    .flatMap(({ text }) => text.split('\n').filter((line) => line.trim() !== ''))
    .map((line) => parseEntry(line));

/** A host process (test/fixtures/erasure-wal-host-process.ts) that records what it is sent. */
async function startHost(env: Record<string, string>): Promise<{ child: ChildProcess; record(event: TAuditEventInput): Promise<string>; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, ['--require', require.resolve('../helpers/swc-register.js'), require.resolve('../fixtures/erasure-wal-host-process.ts')], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise((done) => child.once('exit', done));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error('the host process exited');
    return line.value;
  };
  expect(await next()).toBe('ready');
  return {
    child,
    exited,
    async record(event) {
      child.stdin!.write(`${JSON.stringify(event)}\n`);
      return (await next()).replace(/^recorded /, '');
    },
  };
}

describe('erasing a person while some of her events wait in write-ahead logs (durable mode)', () => {
  const tenantId = 'tenant-wal';
  const contactId = 'c-nora-wal';
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'audit-erase-wal-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const open = async (connection: Connection): Promise<AuditLog> => {
    const audit = createAuditLog({
      connection,
      logger: pino({ level: 'silent' }),
      durability: { mode: 'durable', directory: root },
      recorder: SMALL_RECORDER,
    });
    return opened(audit);
  };

  it('scrubs the journal of a crashed host and its own queue, and what is replayed later is stored erased', async () => {
    const dbName = uniqueName('erase_wal');
    const eraserConnection = await connect(dbName);
    const eraser = await open(eraserConnection);
    for (const event of eventsAboutNora(tenantId, contactId, 'stored')) eraser.record(event);
    await eraser.flush();

    // A host process on the same disk records while MongoDB is down, and is killed: its journal stays.
    const host = await startHost({ MONGODB_URI: server.uri, DB_NAME: dbName, AUDIT_WAL_DIR: root, TENANT_ID: tenantId });
    await stopServer();
    const crashedIds: string[] = [];
    for (const event of eventsAboutNora(tenantId, contactId, 'crashed')) crashedIds.push(await host.record(event));
    while (walEntries(root).filter((entry) => crashedIds.includes(entry._id.toHexString())).length < crashedIds.length) await sleep(50);
    host.child.kill('SIGKILL');
    await host.exited;
    // And this process holds some of its own, queued until MongoDB answers.
    const heldIds = eventsAboutNora(tenantId, contactId, 'held').map((event) => eraser.record(event));
    while (walEntries(root).filter((entry) => heldIds.includes(entry._id.toHexString())).length < heldIds.length) await sleep(50);
    const hashedBefore = new Map(walEntries(root).map((entry) => [entry._id.toHexString(), hashedHex(entry)]));
    expect(walFiles(root).some(({ text }) => holdsPerson(text))).toBe(true);

    // The erase waits for the queued events (MongoDB is down), then runs once it is back.
    const erasing = auditContext.runAsSystem(tenantId, () => eraser.events.dataErased({ tenantId, subject: { type: 'contact', id: contactId }, erasedFields: ['name', 'email'], identities: [EMAIL] }));
    await sleep(1_000);
    await restartServer();
    const erasure = await erasing;

    expect(erasure.events).toBeGreaterThanOrEqual(3 * 3);
    expect(walFiles(root).filter(({ text }) => holdsPerson(text)).map(({ path }) => path)).toEqual([]);
    for (const entry of walEntries(root)) {
      const before = hashedBefore.get(entry._id.toHexString());
      if (before !== undefined) expect(hashedHex(entry)).toBe(before);
    }

    // Whatever is left in the log is written later (here, or by the next process on the directory): erased.
    await closeAudit(eraser);
    const next = await open(await connect(dbName));
    await next.flush();
    const stored = await storedDocuments(eraserConnection, tenantId);
    expect(stored.map((document) => document._id.toHexString())).toEqual(expect.arrayContaining([...crashedIds, ...heldIds]));
    expect(stored.filter((document) => holdsPerson(EJSON.stringify(document)))).toEqual([]);
    for (const id of [...crashedIds, ...heldIds]) expect(hashedHex(stored.find((document) => document._id.toHexString() === id))).toBe(hashedBefore.get(id));
    const failedSignIn = stored.find((document) => document._id.toHexString() === crashedIds[1]);
    expect(failedSignIn).toMatchObject({ action: 'user.login_failed', status: 'failure', actor: { id: expect.stringMatching(/^unknown:/) } });
    await closeAudit(next);
    expect(walFiles(root).filter(({ text }) => holdsPerson(text))).toEqual([]);
  }, 240_000);
});
