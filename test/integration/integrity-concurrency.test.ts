import { fork, type ChildProcess } from 'node:child_process';
import { generateSigningKey } from '../../server/integrity';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { testMongoUri } from '../helpers/test-databases';
import { admin } from '../helpers/test-events';

/**
 * Three writer processes and two sealer processes on one tenant; one sealer is SIGKILLed mid-run.
 * Every stored event must end up sealed exactly once (positions 0..n-1, each once), the tree must
 * verify against the signed checkpoint, and no event may have waited longer than the lag bound.
 */
const TENANT = 'busy-tenant';
const PER_WRITER = Number(process.env.INTEGRITY_CONCURRENCY_EVENTS ?? 10_000);
const LAG_BOUND_MS = 10_000;
const KEY = generateSigningKey('concurrency-2026');
let stack: AuditStack;

beforeAll(async () => {
  stack = await startAuditStack('integrity-concurrency', { integrity: { signingKey: KEY.signerKey, seal: false } });
}, 120_000);
afterAll(async () => stack?.close());

function start(role: 'writer' | 'sealer', extra: Record<string, string> = {}): { child: ChildProcess; ready: Promise<void> } {
  const child = fork(require.resolve('../fixtures/integrity-process.ts'), [], {
    execArgv: ['--require', require.resolve('../helpers/swc-register.js')],
    env: { ...process.env, FIXTURE_ROLE: role, FIXTURE_MONGODB_URI: testMongoUri(), FIXTURE_DB_NAME: stack.mongo.dbName, FIXTURE_SIGNING_KEY: KEY.signerKey, FIXTURE_TENANT: TENANT, ...extra },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code} before it was ready`)));
  });
  return { child, ready };
}

const progress = (line: string) => process.stderr.write(`[integrity concurrency] ${new Date().toISOString()} ${line}\n`);

const message = <T>(child: ChildProcess, accept: (value: unknown) => value is T) =>
  new Promise<T>((resolve, reject) => {
    child.on('message', (value) => accept(value) && resolve(value));
    child.once('exit', (code) => code !== 0 && reject(new Error(`process exited with ${code}`)));
  });

it(`seals ${3 * PER_WRITER} events from three writers exactly once with two sealers, one of them SIGKILLed`, async () => {
  const sealers = [start('sealer'), start('sealer')];
  await Promise.all(sealers.map((sealer) => sealer.ready));
  const writers = ['a', 'b', 'c'].map((writer) => start('writer', { FIXTURE_WRITER: writer, FIXTURE_EVENTS: String(PER_WRITER) }));
  await Promise.all(writers.map((writer) => writer.ready));
  progress('sealers and writers ready');
  const written = Promise.all(writers.map(({ child }) => message(child, (value): value is 'done' => value === 'done')));

  // Kill the sealer that holds the lease once it has sealed part of the log.
  const logs = stack.mongo.connection.db!.collection<{ _id: string; size: number; lease: { owner: string } | null }>('audit_integrity_logs');
  for (;;) {
    const log = await logs.findOne({ _id: TENANT });
    if (log && log.size >= PER_WRITER / 2 && log.lease) break;
    progress(`waiting for half a writer's events to be sealed: ${log?.size ?? 0}`);
    await new Promise((done) => setTimeout(done, 2_000));
  }
  const [first, second] = sealers as [(typeof sealers)[number], (typeof sealers)[number]];
  const holder = (await logs.findOne({ _id: TENANT }))!.lease!.owner.startsWith(`${first.child.pid}-`) ? first : second;
  const survivor = holder === first ? second : first;
  holder.child.kill('SIGKILL');
  progress(`SIGKILLed the sealer holding the lease (pid ${holder.child.pid})`);
  await written;
  progress('writers done');

  const total = 3 * PER_WRITER;
  const deadline = Date.now() + 180_000;
  while ((await logs.findOne({ _id: TENANT }))!.size < total) {
    if (Date.now() > deadline) throw new Error('the surviving sealer did not catch up');
    progress(`sealed ${(await logs.findOne({ _id: TENANT }))!.size} of ${total}`);
    await new Promise((done) => setTimeout(done, 500));
  }
  await new Promise((done) => setTimeout(done, 6_000)); // the next checkpoint (every 5 s here)
  survivor.child.send('stop');
  const { metrics } = await message(survivor.child, (value): value is { metrics: { sealed: number; sealingMaxLagMs: number } } => typeof value === 'object' && value !== null && 'metrics' in value);

  expect(await stack.events.countDocuments({ tenantId: TENANT })).toBe(total);
  const positions = (await stack.events.find({ tenantId: TENANT }, { projection: { integrity: 1 } }).toArray()).map((event) => (event as { integrity?: { position: number } }).integrity?.position);
  expect(positions.filter((position) => position === undefined)).toHaveLength(0);
  expect(new Set(positions).size).toBe(total);
  expect(Math.max(...(positions as number[]))).toBe(total - 1);

  const lags = (await stack.events.find({ tenantId: TENANT }, { projection: { receivedAt: 1, integrity: 1 } }).toArray()).map(
    (event) => (event as unknown as { integrity: { sealedAt: Date } }).integrity.sealedAt.getTime() - event.receivedAt.getTime(),
  );
  const maxLag = Math.max(...lags);
  process.stdout.write(`integrity concurrency: ${total} events, max stored → sealed lag ${maxLag} ms (survivor's own batches: ${metrics.sealingMaxLagMs} ms)\n`);
  expect(maxLag).toBeLessThanOrEqual(LAG_BOUND_MS);

  const report = await stack.client(admin(TENANT)).auditLog.integrity.verify.query();
  expect(report).toMatchObject({ ok: true, failure: null, checkpoint: { size: total }, eventsChecked: total });
}, 600_000);
