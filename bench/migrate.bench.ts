/**
 * Migration benchmark: `crm-audit-log migrate`'s conversion of events stored in form v1 (values in
 * place, as 0.2 wrote them) to the stored form v2, against the driver replacing the same number of
 * events by `_id` with documents encoded beforehand (the floor: one replace an event, no reads).
 *   node --require ./test/helpers/swc-register.js bench/migrate.bench.ts [--events 1000] [--quick]
 */
import mongoose from 'mongoose';
import pino from 'pino';
import { toEventDocument } from '../server/events/event.document';
import { AUDIT_EVENTS_COLLECTION } from '../server/events/event.model';
import { createAuditServices } from '../server/services';
import { toV1Document } from '../test/helpers/legacy-events';
import { makeBenchEvent } from './lib/bench-events';
import { runBenchProgram } from './lib/bench-main';
import type { BenchResult } from './lib/bench-report';
import { timeMs } from './lib/bench-stats';

export const MIGRATE_SIZES = { events: { quick: 150, full: 1_500 } };

export async function runMigrateBench(uri: string, sizes: { events: number }): Promise<BenchResult> {
  const started = Date.now();
  const connection = await mongoose.createConnection(uri, { dbName: `bench_migrate_${Date.now().toString(36)}` }).asPromise();
  // Not started: start() would run the same migration by itself.
  const services = createAuditServices({ connection, logger: pino({ level: 'silent' }), durability: { mode: 'memory' }, downloadSecret: 'migrate benchmark secret, 32+ characters' });
  const collection = connection.db!.collection(AUDIT_EVENTS_COLLECTION);
  const seed = async (tenantId: string) => {
    const events = Array.from({ length: sizes.events }, (_, n) => makeBenchEvent(tenantId, n, new Date(Date.UTC(2025, 0, 1) + n * 1_000)));
    for (let start = 0; start < events.length; start += 500) await collection.insertMany(events.slice(start, start + 500).map(toV1Document) as never[], { ordered: false });
    return events;
  };
  try {
    let migrated = 0;
    await seed('bench-migrate');
    const oursMs = await timeMs(async () => void (migrated = (await services.events.migration.migrate()).migrated));
    if (migrated !== sizes.events) throw new Error(`migrated ${migrated} of ${sizes.events}`);
    await collection.deleteMany({});
    const events = await seed('bench-migrate-raw');
    const encoded = events.map((event) => toEventDocument(event, (hex) => new mongoose.mongo.ObjectId(hex)));
    const rawMs = await timeMs(async () => {
      for (const document of encoded) await collection.replaceOne({ _id: document._id }, document);
    });
    const single = (value: number) => ({ median: value, p95: value, samples: 1 });
    const [ours, raw] = [sizes.events / (oursMs / 1000), sizes.events / (rawMs / 1000)];
    return {
      bench: 'migrate',
      sizes,
      rows: [{ case: `migrate ${sizes.events} v1 events vs replaceOne by _id`, metric: 'events/s', unit: 'one run per side', ours: single(ours), raw: single(raw), ratio: ours / raw, target: '—', met: null }],
      figures: { migrateMs: Math.round(oursMs), rawReplaceMs: Math.round(rawMs), eventsPerSecond: Math.round(ours * 10) / 10 },
      notes: [],
      durationMs: Date.now() - started,
    };
  } finally {
    await services.close();
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
}

if (require.main === module) {
  runBenchProgram('migrate', (server, args) => runMigrateBench(server.uri, { events: args.number('events', MIGRATE_SIZES.events) }));
}
