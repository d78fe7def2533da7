/**
 * Seeder benchmark: realistic events (several tenants, 240 actors, every built-in action, real-looking
 * text) written through the driver's insertMany as fast as the server takes them.
 *   node --require ./test/helpers/swc-register.js bench/seed.bench.ts [--events 50000] [--tenants 5] [--quick]
 */
import mongoose from 'mongoose';
import { AUDIT_EVENTS_COLLECTION } from '../server/events/event.model';
import type { EventDocument } from '../server/events/event.document';
import { seedBenchEvents } from './lib/bench-events';
import { runBenchProgram } from './lib/bench-main';
import type { BenchResult } from './lib/bench-report';

export const SEED_SIZES = { events: { quick: 5_000, full: 50_000 }, tenants: { quick: 5, full: 5 } };

export async function runSeedBench(uri: string, sizes: { events: number; tenants: number }): Promise<BenchResult> {
  const started = Date.now();
  const connection = await mongoose.createConnection(uri, { dbName: `bench_seed_${Date.now().toString(36)}` }).asPromise();
  try {
    const seeded = await seedBenchEvents(connection.db!.collection<EventDocument>(AUDIT_EVENTS_COLLECTION), sizes);
    return {
      bench: 'seed',
      sizes,
      rows: [],
      figures: { events: seeded.events, tenants: sizes.tenants, seconds: Number((seeded.ms / 1000).toFixed(1)), eventsPerSecond: Math.round(seeded.events / (seeded.ms / 1000)) },
      notes: ['The seeder is itself the raw driver path (insertMany, 2,000 per batch): no ratio.'],
      durationMs: Date.now() - started,
    };
  } finally {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
}

if (require.main === module) {
  runBenchProgram('seed', (server, args) => runSeedBench(server.uri, { events: args.number('events', SEED_SIZES.events), tenants: args.number('tenants', SEED_SIZES.tenants) }));
}
