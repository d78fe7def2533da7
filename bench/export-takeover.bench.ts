/**
 * How long a SIGKILLed worker's export waits before another worker takes it over.
 *   npm run bench:takeover [-- --rounds 3 --rows 10000]
 * Per round and lock setting: worker A (its own process) starts an XLSX export; once rows are being
 * written, worker B (its own process) is started and ready, then A is SIGKILLed. Takeover time: from
 * the kill until B's attempt starts (the record's attempt count goes up). Settings: BullMQ's defaults
 * as main had them (lock 30 s, stalled check 30 s) and the worker's defaults now.
 */
import { cpus, loadavg } from 'node:os';
import mongoose from 'mongoose';
import { Redis } from 'ioredis';
import { createAuditServer } from '../server/audit-server';
import { startEmbeddedMongo, type EmbeddedMongo } from '../server/db/embedded-mongo';
import { AUDIT_EVENTS_COLLECTION } from '../server/events/event.model';
import type { EventDocument } from '../server/events/event.document';
import { EXPORTS_COLLECTION } from '../server/exports/export.model';
import { forkWorkerProcess } from '../test/helpers/exports';
import { seedEvents } from '../test/helpers/seed-events';
import { deleteKeysWithPrefix } from '../test/helpers/test-databases';
import pino from 'pino';

const argument = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROUNDS = argument('rounds', 3);
const ROWS = argument('rows', 10_000);
const SECRET = 'bench-secret-bench-secret-bench-secret-00';
const SETTINGS = [
  { name: 'main (lock 30 s, stalled check 30 s)', locks: '30000/30000' },
  { name: 'now (worker defaults)', locks: 'production' },
];

async function main(): Promise<void> {
  let embedded: EmbeddedMongo | undefined;
  const mongoUri = process.env.MONGODB_URI ?? (embedded = await startEmbeddedMongo()).uri;
  const dbName = `bench_takeover_${Date.now().toString(36)}`;
  const redisPrefix = `audit-bench:${dbName}`;
  const connection = await mongoose.createConnection(mongoUri, { dbName }).asPromise();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const server = createAuditServer({ connection, redis, redisPrefix, secret: SECRET, logger: pino({ level: 'silent' }) });
  const target = { mongoUri, dbName, redisPrefix, secret: SECRET };
  const records = connection.db!.collection(EXPORTS_COLLECTION);
  const caller = { tenantId: 'bench', actorId: 'bench-admin', role: 'admin' };
  const results: Record<string, number[]> = {};
  try {
    await server.ready;
    await seedEvents(connection.db!.collection<EventDocument>(AUDIT_EVENTS_COLLECTION), { tenantId: 'bench', count: ROWS });
    const service = server.services.connected!.exports.service;
    for (let round = 0; round < ROUNDS; round++) {
      for (const setting of SETTINGS) {
        const first = await forkWorkerProcess(target, { FIXTURE_LOCKS: setting.locks });
        const { id } = await service.create(caller, { format: 'xlsx', filters: {}, timeZone: 'UTC', bom: true });
        const record = () => records.findOne({ _id: new mongoose.Types.ObjectId(id) });
        while (((await record())?.progress as { rows: number } | undefined)?.rows === 0) await new Promise((done) => setTimeout(done, 50));
        const second = await forkWorkerProcess(target, { FIXTURE_LOCKS: setting.locks });
        await first.kill();
        const killedAt = Date.now();
        for (;;) {
          const current = await record();
          if ((current?.attempts as number) >= 2 || current?.status === 'completed') break;
          await new Promise((done) => setTimeout(done, 100));
        }
        const seconds = (Date.now() - killedAt) / 1_000;
        (results[setting.name] ??= []).push(seconds);
        process.stdout.write(`round ${round + 1}, ${setting.name}: taken over after ${seconds.toFixed(1)} s (load ${loadavg()[0]!.toFixed(1)})\n`);
        while ((await record())?.status !== 'completed') await new Promise((done) => setTimeout(done, 200));
        await second.kill();
      }
    }
    process.stdout.write(`\nexport takeover after SIGKILL — ${ROWS} rows XLSX, ${cpus().length} cores, load ${loadavg().map((n) => n.toFixed(1)).join(' ')}, ${embedded?.description ?? 'MONGODB_URI'}\n`);
    for (const [name, seconds] of Object.entries(results)) {
      process.stdout.write(`| ${name} | ${seconds.map((s) => s.toFixed(1)).join(', ')} s | min ${Math.min(...seconds).toFixed(1)} s | max ${Math.max(...seconds).toFixed(1)} s |\n`);
    }
  } finally {
    await server.close();
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
    await deleteKeysWithPrefix(redis, redisPrefix);
    redis.disconnect();
    await embedded?.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
