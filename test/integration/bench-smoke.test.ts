import type { BenchResult } from '../../bench/lib/bench-report';
import { formatRows } from '../../bench/lib/bench-report';
import { runApiBench } from '../../bench/api.bench';
import { runHostBench } from '../../bench/host.bench';
import { runIngestBench } from '../../bench/ingest.bench';
import { runSeedBench } from '../../bench/seed.bench';
import { testMongoUri } from '../helpers/test-databases';

/** The benchmarks' code at tiny sizes: well-formed results, no timing assertions (those are `npm run bench`). */
function expectWellFormed(result: BenchResult, bench: string, rows: number): void {
  expect(result.bench).toBe(bench);
  expect(result.rows).toHaveLength(rows);
  expectRowsWellFormed(result);
}

function expectRowsWellFormed(result: BenchResult): void {
  for (const row of result.rows) {
    for (const figure of [row.ours.median, row.ours.p95, row.raw.median, row.raw.p95, row.ratio]) expect(Number.isFinite(figure) && figure > 0).toBe(true);
    expect(row.ours.samples).toBeGreaterThan(0);
    expect(row.met === null || typeof row.met === 'boolean').toBe(true);
  }
  expect(formatRows(result.rows).split('\n')).toHaveLength(result.rows.length + 2);
  expect(result.durationMs).toBeGreaterThan(0);
}

describe('benchmark smoke run', () => {
  it('seeds realistic events through the driver and reports the speed', async () => {
    const result = await runSeedBench(testMongoUri(), { events: 300, tenants: 3 });
    expectWellFormed(result, 'seed', 0);
    expect(result.figures).toMatchObject({ events: 300, tenants: 3 });
    expect(result.figures.eventsPerSecond).toBeGreaterThan(0);
  });

  it('ingests through record() and the driver alike, storing every event', async () => {
    const result = await runIngestBench(testMongoUri(), { events: 200, rounds: 1 });
    expectWellFormed(result, 'ingest', 1);
    expect(result.figures.written).toBe(result.figures.expected);
    expect(Object.keys(result.figures.recordEventsPerSecondByBatchSize as object)).toEqual(['100', '500', '2000']);
  });

  it('reads one page per filter pattern through the API and the raw driver', async () => {
    const result = await runApiBench(testMongoUri(), { events: 400, rounds: 1 });
    expectWellFormed(result, 'api', 11);
    expect(result.rows.map((row) => row.case)).toEqual(expect.arrayContaining(['none', 'actor', 'action', 'date range', 'subject', 'text search', 'action + date range']));
  });

  it('loads the demo CRM with the audit trail on and off, and the on side records', async () => {
    const result = await runHostBench(testMongoUri(), { seconds: 1, rounds: 1, connections: 2 });
    expect(result.bench).toBe('host');
    expectRowsWellFormed(result);
    // The two targets, then CPU per request (on Linux; the server's only when it runs on this machine).
    expect(result.rows.map((row) => row.metric)).toEqual(expect.arrayContaining(['requests/s', 'latency p99']));
    expect(result.rows.filter((row) => row.met !== null)).toHaveLength(2);
    expect(result.figures.failedRequests).toBe(0);
    expect(result.figures.auditEventsStored).toBeGreaterThan(0);
  });
});
