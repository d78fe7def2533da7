import type { BenchResult } from '../../bench/lib/bench-report';
import { formatRows } from '../../bench/lib/bench-report';
import { runActivityBench } from '../../bench/activity.bench';
import { runApiBench } from '../../bench/api.bench';
import { runFairnessBench } from '../../bench/fairness.bench';
import { runHostBench } from '../../bench/host.bench';
import type { HostComparison } from '../../bench/crm-host/host-results';
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
    const result = await runApiBench(testMongoUri(), { events: 200, rounds: 1 });
    expectWellFormed(result, 'api', 11);
    expect(result.rows.map((row) => row.case)).toEqual(expect.arrayContaining(['none', 'actor', 'action', 'date range', 'subject', 'text search', 'action + date range']));
  });

  it("measures tenant B's one-row page idle and under tenant A's batched searches, limiter off and on", async () => {
    // A flood counts only the batches answered before it stops, right after B's loaded pages. With the
    // limiter off, A's batches and B's page share the database and end at about the same time, so
    // with one loaded page (the bench's minimum there, taken when `seconds` had run out) A often had
    // nothing back yet: 6 of 10 runs at load 6-10. No phase runs out of its 600 s before the test's
    // timeout, so every phase takes all 3 of B's pages and A's first batches have two more of B's
    // pages to come back: the margin grows with the load instead of shrinking.
    const result = await runFairnessBench(testMongoUri(), { events: 200, samples: 3, clients: 2, seconds: 600 });
    expectWellFormed(result, 'fairness', 2);
    expect(result.rows.map((row) => row.case)).toEqual([expect.stringContaining('limiter off'), expect.stringContaining('limiter on')]);
    expect(result.rows.map((row) => row.ours.samples)).toEqual([3, 3]);
    type Flood = { answered: number; tooManyRequests: number; timedOut: number; otherErrors: number };
    const floods = Object.entries(result.figures.floods as Record<string, Flood>).map(([variant, flood]) =>
      // Off, nothing refuses or stops a read, so A's searches are answered; on, each is answered or refused.
      variant.includes('limiter off')
        ? { variant, answered: flood.answered > 0, tooManyRequests: flood.tooManyRequests, timedOut: flood.timedOut, otherErrors: flood.otherErrors }
        : { variant, answeredOrRefused: flood.answered + flood.tooManyRequests + flood.timedOut > 0, otherErrors: flood.otherErrors },
    );
    expect(floods).toEqual([
      { variant: expect.stringContaining('limiter on'), answeredOrRefused: true, otherErrors: 0 },
      { variant: expect.stringContaining('limiter off'), answered: true, tooManyRequests: 0, timedOut: 0, otherErrors: 0 },
    ]);
  }, 180_000);

  it('charts activity by its grouped query and by the two ways it could be done instead, all counting the same events', async () => {
    const result = await runActivityBench(testMongoUri(), { events: 400, rounds: 1 });
    expectWellFormed(result, 'activity', 2);
    expect(result.figures).toMatchObject({ chartedEvents: 200 });
  });

  it('drives every bench host endpoint with crm-audit-log on and off, and the capture check finds every write recorded right', async () => {
    const result = await runHostBench(testMongoUri(), { seconds: 0.2, rounds: 1, slowRounds: 1, warmUpSeconds: 0, records: 30, burst: 3, peers: false });
    expect(result.bench).toBe('host');
    expectRowsWellFormed(result);
    const endpoints = ['create', 'save', 'findOneAndUpdate', 'updateOne', 'list', 'updateMany', 'softDelete'];
    // requests/s and p99 for each endpoint (host CPU too where a round lasted long enough to register).
    expect(result.rows.filter((row) => row.metric === 'requests/s')).toHaveLength(endpoints.length);
    expect(result.figures.failedRequests).toBe(0);
    const ours = (result.details?.hosts as HostComparison[]).filter((host) => host.variant === 'ours');
    expect(ours.map((host) => host.endpoint)).toEqual(endpoints);
    for (const host of ours.filter((candidate) => candidate.endpoint !== 'list')) {
      expect({ endpoint: host.endpoint, missing: host.capture?.missing, wrong: host.capture?.wrongValues, kindRight: host.capture?.kindRight, actor: host.capture?.actor }).toEqual({ endpoint: host.endpoint, missing: [], wrong: [], kindRight: true, actor: true });
    }
    expect(ours.find((host) => host.endpoint === 'list')?.capture?.entries).toBe(0);
    // audit off, crm-audit-log, crm-audit-log with afterValuesOnly.
    expect(result.tables?.[0]?.split('\n')).toHaveLength(2 + endpoints.length * 3);
  });
});
