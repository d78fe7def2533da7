/**
 * Export benchmark: our export worker against a raw baseline on the same server, in the same run.
 *   npm run bench -- export [--rows 1000000] [--quick]
 *   npm run bench:export -- --rows 100000   the size the integration tests once ran (test/integration/exports-large.test.ts now uses 4,500, and 10,000 for the cancel)
 * Seeds `rows` events, then for CSV and XLSX, at a tenth of the size and at the full size, runs the
 * raw baseline and our worker alternately, each in its own process (so peak RSS is its own).
 * Prints a table and writes bench/results/export-<time>.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { startEmbeddedMongo, type EmbeddedMongo } from '../server/db/embedded-mongo';
import { AUDIT_EVENTS_COLLECTION } from '../server/events/event.model';
import type { EventDocument } from '../server/events/event.document';
import { deleteKeysWithPrefix } from '../test/helpers/test-databases';
import { seedEvents } from '../test/helpers/seed-events';
import { Redis } from 'ioredis';

interface RunResult {
  mode: string;
  format: string;
  rows: number;
  ms: number;
  rowsPerSecond: number;
  peakRssMb: number;
  loopDelayP99Ms: number;
  stalled: number;
  progressWrites: number;
}

const argument = (name: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const quick = process.argv.includes('--quick');
const rows = Number(argument('rows') ?? (quick ? 20_000 : 1_000_000));
const NEWEST = new Date('2026-06-30T12:00:00Z');

/** Our worker runs with the Node flags of `npm run worker` (its bounded heap); the raw baselines with Node's defaults. */
function workerNodeFlags(): string[] {
  const script = (JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.worker ?? '';
  return script.split(/\s+/).filter((part) => part.startsWith('--max-old-space-size='));
}

function runChild(mode: string, format: string, uri: string, dbName: string, prefix: string, size: number): Promise<RunResult> {
  const from = new Date(NEWEST.getTime() - (size - 1) * 1_000).toISOString();
  const nodeFlags = mode === 'ours' ? workerNodeFlags() : [];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...nodeFlags, '--require', join(__dirname, '../test/helpers/swc-register.js'), join(__dirname, 'export-child.ts'), mode, format, uri, dbName, prefix, from], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? done(JSON.parse(output.trim().split('\n').at(-1)!) as RunResult) : fail(new Error(`${mode} ${format} exited ${code}`))));
  });
}

async function main(): Promise<void> {
  let embedded: EmbeddedMongo | undefined;
  const uri = process.env.MONGODB_URI ?? (embedded = await startEmbeddedMongo()).uri;
  const server = embedded ? embedded.description : 'MONGODB_URI';
  const dbName = `bench_export_${Date.now().toString(36)}`;
  const prefix = `audit-bench:${dbName}`;
  const connection = await mongoose.createConnection(uri, { dbName }).asPromise();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const seedStarted = Date.now();
    await seedEvents(connection.db!.collection<EventDocument>(AUDIT_EVENTS_COLLECTION), { tenantId: 'bench', count: rows, newest: NEWEST });
    process.stdout.write(`seeded ${rows} events in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s on ${server}\n`);
    if (embedded?.kind === 'ferretdb') {
      process.stdout.write('note: FerretDB v1 sorts every query in memory (no sort pushdown): the server dominates both sides; read ratios, not absolute speed.\n');
    }

    const sizes = [Math.max(1, Math.round(rows / 10)), rows];
    const results: Array<RunResult & { size: number }> = [];
    for (const format of ['csv', 'xlsx'] as const) {
      for (const size of sizes) {
        // Alternate which side runs first, so neither always gets the warmer server.
        const order = results.length % 2 === 0 ? ['raw', 'ours'] : ['ours', 'raw'];
        for (const side of order) {
          const result = await runChild(side === 'raw' ? `raw-${format}` : 'ours', format, uri, dbName, prefix, size);
          results.push({ ...result, size });
          process.stdout.write(`  ${format} ${size} ${side}: ${result.rowsPerSecond} rows/s, peak RSS ${result.peakRssMb} MB\n`);
        }
      }
    }
    process.stdout.write(`our worker's Node flags (from npm run worker): ${workerNodeFlags().join(' ') || 'none'}\n`);
    report(results, sizes, server);
  } finally {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
    await embedded?.dispose();
  }
}

function report(results: Array<RunResult & { size: number }>, sizes: number[], server: string): void {
  const find = (format: string, size: number, ours: boolean) => results.find((r) => r.format === format && r.size === size && (r.mode === 'ours') === ours)!;
  const [small, large] = sizes as [number, number];
  const lines = ['', `export benchmark — ${large.toLocaleString('en-US')} rows; ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; server: ${server}`, ''];
  lines.push('| format | rows | ours rows/s | raw rows/s | ratio (≥ 0.8) | ours peak RSS MB | raw peak RSS MB | RSS large/small (≤ 1.3) | loop p99 ms (< 200) | stalled (0) | progress writes/s (≤ ~1) |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  const summary: Record<string, unknown> = {};
  for (const format of ['csv', 'xlsx']) {
    for (const size of sizes) {
      const ours = find(format, size, true);
      const raw = find(format, size, false);
      const growth = size === large ? (ours.peakRssMb / find(format, small, true).peakRssMb).toFixed(2) : '';
      lines.push(
        `| ${format} | ${size} | ${ours.rowsPerSecond} | ${raw.rowsPerSecond} | ${(ours.rowsPerSecond / raw.rowsPerSecond).toFixed(2)} | ${ours.peakRssMb} | ${raw.peakRssMb} | ${growth} | ${ours.loopDelayP99Ms} | ${ours.stalled} | ${(ours.progressWrites / (ours.ms / 1000)).toFixed(2)} |`,
      );
      summary[`${format}_${size}`] = { ours, raw, ratio: ours.rowsPerSecond / raw.rowsPerSecond };
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const directory = join(__dirname, 'results');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `export-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ machine: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, git: gitRevision() }, server, workerNodeFlags: workerNodeFlags(), rows: large, results: summary }, null, 2));
  process.stdout.write(`\nresults: ${file}\n`);
}

function gitRevision(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim();
  } catch {
    return 'unknown';
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`export benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
