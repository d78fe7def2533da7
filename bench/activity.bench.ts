/**
 * The admin page's activity chart (events.activity): one `$group` on the stored hour, against the
 * two ways it could be done instead, side by side in alternating rounds on the same data:
 *   counts: one bounded countDocuments per hour of the range (what works without the stored hour);
 *   rows:   every matching event's occurredAt read and bucketed in JavaScript ("from the rows").
 * Events of two tenants interleaved (the match is tenant-scoped on a shared collection), 36 s apart
 * per tenant (100 an hour), so the chart of one tenant has events/200 hourly buckets.
 *   npm run bench -- activity [--events 2000] [--rounds 3] [--quick]
 */
import mongoose from 'mongoose';
import { activityHandler } from '../server/events/event-activity.handler';
import { createEventActivityRepository } from '../server/events/event-activity.repository';
import { buildEventFilter } from '../server/events/event-query';
import { hourOf, MS_PER_HOUR, type EventDocument } from '../server/events/event.document';
import { AUDIT_EVENTS_COLLECTION } from '../server/events/event.model';
import { hostDatabase } from '../server/db/host-database';
import { createEventWritesRepository } from '../server/events/event-writes.repository';
import { benchTenant, makeBenchEvent } from './lib/bench-events';
import { ObjectId, type Collection } from 'mongodb';
import { toEventDocument } from '../server/events/event.document';
import { runBenchProgram } from './lib/bench-main';
import type { BenchResult, BenchRow } from './lib/bench-report';
import { alternate, summarise, timeMs } from './lib/bench-stats';

/**
 * Full: 2,000 events (1,000 of the charted tenant, about 10 hours) × 3 rounds, so the whole run stays under its 20 minutes.
 * On FerretDB v1 every query is a scan of the whole collection and the per-hour baseline runs one per hour, so a round
 * costs (hours + 3) scans: at 20,000 events (100 hours) a round of that baseline alone took minutes, and the bench did
 * not finish in 10. Its ratio is about 1 / (hours + 1) at any size; the one near its target (vs reading every row)
 * is one scan against one scan.
 */
export const ACTIVITY_SIZES = { events: { quick: 1_000, full: 2_000 }, rounds: { quick: 1, full: 3 } };
const TENANTS = 2;
const NEWEST = new Date('2026-06-30T12:00:00Z');
const STEP_MS = 36_000;

/** Like seedBenchEvents, with events STEP_MS apart per tenant so the range spans many hours. */
async function seedSpread(collection: Collection<EventDocument>, events: number): Promise<{ events: number; ms: number }> {
  const started = Date.now();
  for (let start = 0; start < events; start += 2_000) {
    const batch: EventDocument[] = [];
    for (let index = start; index < Math.min(events, start + 2_000); index++) {
      const perTenant = Math.floor(index / TENANTS);
      batch.push(toEventDocument(makeBenchEvent(benchTenant(index % TENANTS), perTenant, new Date(NEWEST.getTime() - perTenant * STEP_MS)), (hex) => new ObjectId(hex)));
    }
    await collection.insertMany(batch, { ordered: false });
  }
  return { events, ms: Date.now() - started };
}

export async function runActivityBench(uri: string, sizes: { events: number; rounds: number }): Promise<BenchResult> {
  const started = Date.now();
  const connection = await mongoose.createConnection(uri, { dbName: `bench_activity_${Date.now().toString(36)}` }).asPromise();
  const db = hostDatabase(connection);
  try {
    await createEventWritesRepository(db).ensureIndexes();
    const collection = connection.db!.collection<EventDocument>(AUDIT_EVENTS_COLLECTION);
    const seeded = await seedSpread(collection, sizes.events);
    const tenantId = benchTenant(0);
    const caller = { tenantId, actorId: 'bench-admin', role: 'admin' };
    const deps = { activity: createEventActivityRepository(db), clock: () => NEWEST };
    const perTenant = Math.ceil(sizes.events / TENANTS);
    const from = new Date(NEWEST.getTime() - (perTenant - 1) * STEP_MS);
    const filters = { from, to: NEWEST };
    const hours = hourOf(NEWEST) - hourOf(from) + 1;

    let expected = -1;
    const chart = async () => {
      const answer = await activityHandler(deps, { ctx: { caller }, input: filters });
      if (expected >= 0 && answer.total !== expected) throw new Error(`activity counted ${answer.total}, expected ${expected}`);
      expected = answer.total;
    };
    const counts = async () => {
      let total = 0;
      for (let hour = hourOf(from); hour <= hourOf(NEWEST); hour++) {
        const start = new Date(Math.max(hour * MS_PER_HOUR, from.getTime()));
        const end = new Date(Math.min((hour + 1) * MS_PER_HOUR - 1, NEWEST.getTime()));
        total += await collection.countDocuments(buildEventFilter(tenantId, { from: start, to: end }));
      }
      if (expected >= 0 && total !== expected) throw new Error(`per-hour counts gave ${total}, expected ${expected}`);
    };
    const rows = async () => {
      const buckets = new Map<number, number>();
      for await (const { occurredAt } of collection.find(buildEventFilter(tenantId, filters), { projection: { occurredAt: 1 } })) {
        const hour = hourOf(occurredAt);
        buckets.set(hour, (buckets.get(hour) ?? 0) + 1);
      }
      const total = [...buckets.values()].reduce((sum, count) => sum + count, 0);
      if (expected >= 0 && total !== expected) throw new Error(`reading the rows gave ${total}, expected ${expected}`);
    };

    await chart();
    const result: BenchRow[] = [];
    for (const [name, baseline] of [
      ['vs one count per hour', counts],
      ['vs reading every row', rows],
    ] as const) {
      const timed = await alternate({ rounds: sizes.rounds, warmUp: 1, ours: () => timeMs(chart), raw: () => timeMs(baseline) });
      const summary = { ours: summarise(timed.ours), raw: summarise(timed.raw) };
      const ratio = summary.ours.median / summary.raw.median;
      result.push({ case: `activity ${name}`, metric: 'p50', unit: `ms, ${expected.toLocaleString('en')} events in ${hours} hours of one tenant`, ...summary, ratio, target: '≤ 1', met: ratio <= 1 });
    }
    return {
      bench: 'activity',
      sizes: { ...sizes, tenants: TENANTS },
      rows: result,
      figures: { seeded: { events: seeded.events, tenants: TENANTS, seconds: Number((seeded.ms / 1000).toFixed(1)) }, chartedEvents: expected, hours },
      notes: ['activity: ours = events.activity\'s handler ($match on tenant_time + $group on the stored hour); a range without "from" adds one indexed find of the oldest match.'],
      durationMs: Date.now() - started,
    };
  } finally {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
}

if (require.main === module) {
  runBenchProgram('activity', (server, args) => runActivityBench(server.uri, { events: args.number('events', ACTIVITY_SIZES.events), rounds: args.number('rounds', ACTIVITY_SIZES.rounds) }));
}
