import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchServer } from './bench-server';
import type { Summary } from './bench-stats';

/** One compared figure: ours against the raw baseline, with the target it is held to. */
export interface BenchRow {
  case: string;
  metric: string;
  unit: string;
  ours: Summary;
  raw: Summary;
  /** ours / raw of the medians (or the inverse where lower is better, as the target says). */
  ratio: number;
  target: string;
  /** null when the row has no target (informational). */
  met: boolean | null;
}

export interface BenchResult {
  bench: string;
  sizes: Record<string, number>;
  rows: BenchRow[];
  /** Figures without a baseline (seeder speed, explain reports). */
  figures: Record<string, unknown>;
  notes: string[];
  /** Markdown tables of its own (the host bench's per-endpoint table), printed before the rows. */
  tables?: string[];
  /** Everything behind the tables, kept in the JSON file only (not printed). */
  details?: Record<string, unknown>;
  durationMs: number;
}

export interface RunEnvironment {
  machine: { cores: number; cpu: string; memoryGiB: number; node: string; git: string };
  server: { description: string; kind: string; writeConcern: string };
  startedAt: string;
}

export function environmentOf(server: Pick<BenchServer, 'description' | 'kind' | 'writeConcern'>): RunEnvironment {
  return {
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, git: gitRevision() },
    server: { description: server.description, kind: server.kind, writeConcern: server.writeConcern },
    startedAt: new Date().toISOString(),
  };
}

export const figure = (value: number): string => (Number.isNaN(value) ? '–' : value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 2));

/** A markdown table: paste it into docs/PERFORMANCE.md as it is. */
export function formatRows(rows: Array<BenchRow & { bench?: string }>): string {
  const lines = ['| bench | case | metric | ours median | ours p95 | raw median | raw p95 | ratio | target | met |', '|---|---|---|---|---|---|---|---|---|---|'];
  for (const row of rows) {
    const met = row.met === null ? '' : row.met ? 'yes' : 'NO';
    lines.push(
      `| ${row.bench ?? ''} | ${row.case} | ${row.metric} (${row.unit}) | ${figure(row.ours.median)} | ${figure(row.ours.p95)} | ${figure(row.raw.median)} | ${figure(row.raw.p95)} | ${row.ratio.toFixed(2)} | ${row.target} | ${met} |`,
    );
  }
  return lines.join('\n');
}

export function formatEnvironment(environment: RunEnvironment): string {
  const { machine, server } = environment;
  return `${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, commit ${machine.git}; server: ${server.description}; write concern: ${server.writeConcern}`;
}

/** Prints the table and writes bench/results/<name>-<time>.json (or `file`); returns the file. */
export function reportResult(result: BenchResult, environment: RunEnvironment, file?: string): string {
  const lines = ['', `${result.bench} benchmark — sizes ${JSON.stringify(result.sizes)}, ${(result.durationMs / 1000).toFixed(0)} s`, formatEnvironment(environment)];
  for (const note of result.notes) lines.push(`note: ${note}`);
  for (const table of result.tables ?? []) lines.push('', table);
  if (result.rows.length > 0) lines.push('', formatRows(result.rows));
  if (Object.keys(result.figures).length > 0) lines.push('', `figures: ${JSON.stringify(result.figures)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  const target = file ?? join(resultsDirectory(), `${result.bench}-${stamp()}.json`);
  mkdirSync(join(target, '..'), { recursive: true });
  writeFileSync(target, JSON.stringify({ ...environment, ...result }, null, 2));
  process.stdout.write(`results: ${target}\n`);
  return target;
}

export const resultsDirectory = () => join(__dirname, '..', 'results');
export const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

function gitRevision(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}
