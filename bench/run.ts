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
const EXPORT_ROWS = { quick: 1_000, full: 20_000 };
/**
 * What a benchmark is given in the whole run, so that the run fits its budget (< 3 min quick, < 20 min
 * full here). The host bench with its peers is 8 hosts (30 min full, 100 s quick on FerretDB); in the
 * whole run it measures crm-audit-log against audit off only, with fewer rounds. Its table with the
 * peers comes from `npm run bench -- host` alone.
 */
function wholeRunArgs(name: BenchName, quick: boolean): string[] {
  if (name === 'export') return ['--rows', String(quick ? EXPORT_ROWS.quick : EXPORT_ROWS.full)];
  if (name === 'host') return quick ? ['--quick', '--no-peers'] : ['--no-peers', '--rounds', '2', '--slow-rounds', '1'];
  return quick ? ['--quick'] : [];
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
