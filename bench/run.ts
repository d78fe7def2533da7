/**
 * `npm run bench` runs every benchmark, each in its own process, against one server (MONGODB_URI,
 * or an embedded one started here), then prints one table of ratios and writes
 * bench/results/bench-<time>.json.
 *   npm run bench                      full sizes (under 20 minutes on 2 cores with FerretDB)
 *   npm run bench -- --quick           small sizes (under 3 minutes)
 *   npm run bench -- host              the host bench alone at its full size, with the peers
 *   npm run bench -- ingest --events 20000   one benchmark, its own arguments passed on
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentOf, formatEnvironment, formatRows, resultsDirectory, stamp, type BenchResult, type BenchRow } from './lib/bench-report';
import { openBenchServer } from './lib/bench-server';

/** Rows for the export figures, from export.bench.ts's own JSON (one run per side and size). */
interface ExportJson {
  results: Record<string, { ours: { rowsPerSecond: number; peakRssMb: number }; raw: { rowsPerSecond: number; peakRssMb: number }; ratio: number }>;
}

const BENCHES = ['seed', 'ingest', 'host', 'api', 'fairness', 'activity', 'export', 'durability', 'integrity', 'migrate'] as const;
type BenchName = (typeof BENCHES)[number];
/** Export sizes: the 1,000,000-row run is separate (npm run bench:export); these fit the time budget. */
const EXPORT_ROWS = { quick: 1_000, full: 10_000 };
/**
 * What a benchmark is given in the whole full run beyond its own full sizes, so that the run fits its
 * budget (< 20 min here, 2 cores, FerretDB v1, where every read is a scan of the whole collection).
 * Each keeps the rounds its median needs and gives up size or repetitions of what has no target:
 * - host: crm-audit-log against audit off only (its 8 hosts with the peers take 30 min; their table
 *   comes from `npm run bench -- host` alone), 2 rounds, and 500 records: FerretDB's updateMany costs
 *   matched × stored records (about 6 s over 500 against 15–25 s over 1,000) and the list sorts them
 *   all, which is the database's time on both sides, not the plugin's;
 * - ingest: 2,000 events per round (4 batches of 500, the quick run's), still 10 rounds per side;
 * - integrity: 10 inclusion proofs (a median of latency, no target; 50 took 2–4 s each);
 * - durability: 50 creates per round, still 9 rounds per pairing (its table was read from 40 × 5);
 * - seed: 20,000 events (10 batches; its figure is the seeder's events/s, no baseline);
 * - export: 10,000 rows (EXPORT_ROWS; the 1,000,000-row run is its target's);
 * - migrate: 600 events (two of the migration's batches of 500; 1,500 took 213 s, about 70 ms an
 *   event and side on FerretDB v1).
 * The quick run gives every benchmark `--quick` (the host bench without the peers).
 */
const WHOLE_RUN_FULL_ARGS: Partial<Record<BenchName, string[]>> = {
  seed: ['--events', '20000'],
  host: ['--no-peers', '--rounds', '2', '--slow-rounds', '1', '--records', '500'],
  ingest: ['--events', '2000'],
  integrity: ['--proofs', '10'],
  durability: ['--requests', '50'],
  migrate: ['--events', '600'],
};

function wholeRunArgs(name: BenchName, quick: boolean): string[] {
  if (name === 'export') return ['--rows', String(quick ? EXPORT_ROWS.quick : EXPORT_ROWS.full)];
  if (quick) return name === 'host' ? ['--quick', '--no-peers'] : ['--quick'];
  return WHOLE_RUN_FULL_ARGS[name] ?? [];
}

function runChild(name: BenchName, args: string[], env: NodeJS.ProcessEnv): Promise<{ file: string; ms: number }> {
  const started = Date.now();
  const out = join(resultsDirectory(), `${name}-${stamp()}.json`);
  const script = join(__dirname, `${name}.bench.ts`);
  const childArgs = name === 'export' ? args : [...args, '--out', out];
  const child = spawn(process.execPath, ['--require', join(__dirname, '../test/helpers/swc-register.js'), script, ...childArgs], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    process.stdout.write(chunk);
  });
  return new Promise((done, fail) =>
    child.on('exit', (code) => {
      if (code !== 0) return fail(new Error(`${name} benchmark exited ${code}`));
      const file = /^results: (.+)$/m.exec(output)?.[1]?.trim() ?? out;
      done({ file, ms: Date.now() - started });
    }),
  );
}

function exportRows(file: string): BenchRow[] {
  const json = JSON.parse(readFileSync(file, 'utf8')) as ExportJson;
  const one = (value: number) => ({ median: value, p95: value, samples: 1 });
  return Object.entries(json.results).map(([key, result]) => ({
    case: key.replace('_', ' ') + ' rows',
    metric: 'rows/s',
    unit: 'one run per side',
    ours: one(result.ours.rowsPerSecond),
    raw: one(result.raw.rowsPerSecond),
    ratio: result.ratio,
    target: '≥ 0.8',
    met: result.ratio >= 0.8,
  }));
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const only = BENCHES.find((name) => name === argv[0]);
  const started = Date.now();
  const server = await openBenchServer();
  const env = { ...process.env, MONGODB_URI: server.uri, BENCH_SERVER: server.description };
  const environment = environmentOf(server);
  const rows: Array<BenchRow & { bench: string }> = [];
  const tables: string[] = [];
  const results: Record<string, unknown> = {};
  const durations: Record<string, number> = {};
  const notes = new Set(server.notes);
  try {
    for (const name of only ? [only] : BENCHES) {
      const args = only ? argv.slice(1) : wholeRunArgs(name, quick);
      const { file, ms } = await runChild(name, args, env);
      durations[name] = Math.round(ms / 1000);
      if (name === 'export') {
        rows.push(...exportRows(file).map((row) => ({ ...row, bench: name })));
        results[name] = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      } else {
        const result = JSON.parse(readFileSync(file, 'utf8')) as BenchResult;
        rows.push(...result.rows.map((row) => ({ ...row, bench: name })));
        for (const note of result.notes) notes.add(note);
        tables.push(...(result.tables ?? []));
        results[name] = result;
      }
    }
  } finally {
    await server.close();
  }
  const totalSeconds = Math.round((Date.now() - started) / 1000);
  const lines = ['', `== crm-audit-log benchmarks (${only ?? (quick ? 'quick' : 'full')}), ${totalSeconds} s: ${JSON.stringify(durations)} s each`, formatEnvironment(environment)];
  for (const note of notes) lines.push(`note: ${note}`);
  for (const table of tables) lines.push('', table);
  lines.push('', formatRows(rows));
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(resultsDirectory(), { recursive: true });
  const file = join(resultsDirectory(), `bench-${stamp()}.json`);
  writeFileSync(file, JSON.stringify({ ...environment, mode: only ?? (quick ? 'quick' : 'full'), totalSeconds, durations, notes: [...notes], rows, results }, null, 2));
  process.stdout.write(`\nresults: ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmarks failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
