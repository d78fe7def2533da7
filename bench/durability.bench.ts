/**
 * What durable mode costs a host write: `Model.create()` with the plugin in durable mode (waits for
 * its event in the write-ahead log, fdatasync, group-committed), in buffered mode (does not wait)
 * and with no audit log at all, each on its own connection, alternating rounds. One request at a
 * time (every write pays a whole fsync) and 8 at a time (writes in flight share one).
 *   npm run bench -- durability [--quick] [--requests N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import pino from 'pino';
import { createAuditLog, type AuditLog } from '../plugins';
import { runBenchProgram } from './lib/bench-main';
import type { BenchRow } from './lib/bench-report';
import { alternate, summarise, timeMs } from './lib/bench-stats';

type Side = { name: string; connection: Connection; create: () => Promise<unknown>; auditLog?: AuditLog };

async function openSide(uri: string, name: string, mode: 'durable' | 'buffered' | undefined, directory: string): Promise<Side> {
  const connection = await mongoose.createConnection(uri, { dbName: `bench_durability_${name}_${process.pid}` }).asPromise();
  const schema = new mongoose.Schema({ name: String, email: String, stage: String });
  const auditLog = mode ? createAuditLog({ connection, tenantId: 'tenant-bench', logger: pino({ level: 'warn' }), durability: { mode, directory } }) : undefined;
  if (auditLog) schema.plugin(auditLog.plugin);
  await auditLog?.ready;
  const Contact = connection.model('Contact', schema);
  let n = 0;
  return { name, connection, auditLog, create: () => Contact.create({ name: `Contact ${n}`, email: `c${n++}@example.com`, stage: 'lead' }) };
}

/** Milliseconds per request for `requests` creates, `concurrency` in flight at a time. */
async function perRequestMs(side: Side, requests: number, concurrency: number): Promise<number> {
  let left = requests;
  const ms = await timeMs(() =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) await side.create();
      }),
    ),
  );
  return ms / requests;
}

runBenchProgram('durability', async (server, args) => {
  const started = Date.now();
  const requests = args.number('requests', { quick: 40, full: 200 });
  const rounds = args.quick ? 5 : 9;
  const directory = mkdtempSync(join(tmpdir(), 'bench-durability-'));
  const sides = {
    off: await openSide(server.uri, 'off', undefined, directory),
    buffered: await openSide(server.uri, 'buffered', 'buffered', directory),
    durable: await openSide(server.uri, 'durable', 'durable', directory),
  };
  const rows: BenchRow[] = [];
  const figures: Record<string, number> = {};
  try {
    for (const concurrency of [1, 8]) {
      for (const [ours, raw] of [['durable', 'off'], ['buffered', 'off'], ['durable', 'buffered']] as const) {
        const samples = await alternate({ rounds, warmUp: 1, ours: () => perRequestMs(sides[ours], requests, concurrency), raw: () => perRequestMs(sides[raw], requests, concurrency) });
        const row: BenchRow = {
          case: `create, ${concurrency} at a time: ${ours} vs ${raw}`,
          metric: 'ms/request',
          unit: `${requests} creates per round`,
          ours: summarise(samples.ours),
          raw: summarise(samples.raw),
          ratio: 0,
          target: 'informational',
          met: null,
        };
        row.ratio = row.ours.median / row.raw.median;
        rows.push(row);
        figures[`extraMsPerRequest_${ours}_vs_${raw}_c${concurrency}`] = Number((row.ours.median - row.raw.median).toFixed(2));
      }
    }
  } finally {
    for (const side of Object.values(sides)) {
      await side.auditLog?.close();
      await side.connection.dropDatabase().catch(() => undefined);
      await side.connection.close();
    }
    rmSync(directory, { recursive: true, force: true });
  }
  return { bench: 'durability', sizes: { requests, rounds }, rows, figures, durationMs: Date.now() - started, notes: [`write-ahead log on ${tmpdir()} (fdatasync per group)`] };
});
