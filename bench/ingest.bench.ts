/**
 * Ingest benchmark: events per second through record() (validation, context, id, batching, write)
 * against the same events written with the driver's insertMany in batches of the recorder's size,
 * one batch in flight, alternating rounds.
 *   node --require ./test/helpers/swc-register.js bench/ingest.bench.ts [--events 5000] [--rounds 10] [--quick]
 */
import mongoose, { type Connection } from 'mongoose';
import pino from 'pino';
import { ObjectId } from 'mongodb';
import { createAuditLog } from '../plugins';
import { RECORDER_DEFAULTS } from '../server/services';
import { toEventDocument, type EventDocument } from '../server/events/event.document';
import { AUDIT_EVENTS_COLLECTION } from '../server/events/event.model';
import { benchTenant, makeBenchEvent, makeBenchInput } from './lib/bench-events';
import { runBenchProgram } from './lib/bench-main';
import type { BenchResult } from './lib/bench-report';
import { alternate, median, summariseRate, timeMs } from './lib/bench-stats';

export const INGEST_SIZES = { events: { quick: 2_000, full: 5_000 }, rounds: { quick: 3, full: 10 } };
const TENANTS = 5;

export async function runIngestBench(uri: string, sizes: { events: number; rounds: number }): Promise<BenchResult> {
  const started = Date.now();
  const connection = await mongoose.createConnection(uri, { dbName: `bench_ingest_${Date.now().toString(36)}` }).asPromise();
  const audit = createAuditLog({ connection, logger: pino({ level: 'silent' }) });
  await audit.ready;
  const collection = connection.db!.collection<EventDocument>(AUDIT_EVENTS_COLLECTION);
  const batchSize = RECORDER_DEFAULTS.batchSize;
  let offset = 0;
  const nextIndexes = () => Array.from({ length: sizes.events }, (_, n) => offset + n);
  const occurredAt = (index: number) => new Date(Date.UTC(2026, 5, 1) + index * 1_000);
  try {
    const { ours, raw } = await alternate({
      rounds: sizes.rounds,
      warmUp: 1,
      ours: async () => {
        const inputs = nextIndexes().map((index) => makeBenchInput(benchTenant(index % TENANTS), index, occurredAt(index)));
        offset += sizes.events;
        const ms = await timeMs(async () => {
          for (const input of inputs) audit.record(input);
          await audit.flush();
        });
        return sizes.events / (ms / 1000);
      },
      raw: async () => {
        const documents = nextIndexes().map((index) => toEventDocument(makeBenchEvent(benchTenant(index % TENANTS), index, occurredAt(index)), (hex) => new ObjectId(hex)));
        offset += sizes.events;
        const ms = await timeMs(async () => {
          for (let start = 0; start < documents.length; start += batchSize) await collection.insertMany(documents.slice(start, start + batchSize), { ordered: false });
        });
        return sizes.events / (ms / 1000);
      },
    });
    const batchSizes = await recordRateByBatchSize(connection, sizes.events, sizes.rounds >= 6 ? 3 : 1, () => (offset += sizes.events) - sizes.events);
    const written = await collection.countDocuments({});
    const expected = offset;
    const oursRate = summariseRate(ours);
    const rawRate = summariseRate(raw);
    const ratio = oursRate.median / rawRate.median;
    return {
      bench: 'ingest',
      sizes: { ...sizes, batchSize, flushIntervalMs: RECORDER_DEFAULTS.flushIntervalMs },
      rows: [{ case: `record() vs insertMany×${batchSize}`, metric: 'events/s', unit: 'events/s, p95 = slowest 5%', ours: oursRate, raw: rawRate, ratio, target: '≥ 0.8', met: ratio >= 0.8 }],
      figures: { written, expected, recorder: audit.metrics(), recordEventsPerSecondByBatchSize: batchSizes },
      notes: written === expected ? [] : [`stored ${written} of ${expected} events`],
      durationMs: Date.now() - started,
    };
  } finally {
    await audit.close();
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
}

/**
 * For choosing the default: record() throughput at other batch sizes (median of `repeats`, sizes
 * interleaved). Informational; the ratio above is at the default.
 */
async function recordRateByBatchSize(connection: Connection, events: number, repeats: number, nextOffset: () => number): Promise<Record<string, number>> {
  const rates: Record<string, number[]> = {};
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const batchSize of [100, RECORDER_DEFAULTS.batchSize, 2_000]) {
      const audit = createAuditLog({ connection, logger: pino({ level: 'silent' }), recorder: { batchSize } });
      await audit.ready;
      const first = nextOffset();
      const inputs = Array.from({ length: events }, (_, n) => makeBenchInput(benchTenant(n % TENANTS), first + n, new Date(Date.UTC(2026, 5, 1) + (first + n) * 1_000)));
      const ms = await timeMs(async () => {
        for (const input of inputs) audit.record(input);
        await audit.flush();
      });
      await audit.close();
      (rates[batchSize] ??= []).push(Math.round(events / (ms / 1000)));
    }
  }
  return Object.fromEntries(Object.entries(rates).map(([batchSize, values]) => [batchSize, median(values)]));
}

if (require.main === module) {
  runBenchProgram('ingest', (server, args) => runIngestBench(server.uri, { events: args.number('events', INGEST_SIZES.events), rounds: args.number('rounds', INGEST_SIZES.rounds) }));
}
