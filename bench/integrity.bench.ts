/**
 * Integrity benchmark: what the tamper-evident log costs and how fast it checks.
 * - ingest with sealing on: record() with a sealer running in the same process vs the driver's
 *   insertMany, alternating rounds; then how long until every event is sealed (the sealer keeping up);
 * - sealing throughput: a sealing pass over events stored unsealed (events/s);
 * - verification throughput: verify over the whole tenant (events/s);
 * - inclusion proof latency (median of --proofs, 50; 20 with --quick; service level, one tenant of the run's size);
 * - proof sizes for 1,000,000 leaves: from the tree's shape (one hash per planned range), checked
 *   against a real in-memory tree of --memory-leaves (MemoryMerkleTree, the sealer's append), since
 *   sealing a million events on FerretDB here would take hours.
 *   node --require ./test/helpers/swc-register.js bench/integrity.bench.ts [--events 5000] [--rounds 5] [--leaves 1000000] [--memory-leaves 1000000] [--quick]
 */
import mongoose from 'mongoose';
import pino from 'pino';
import { ObjectId } from 'mongodb';
import { createAuditServer } from '../server/audit-server';
import { createEventSealsRepository } from '../server/events';
import { toEventDocument, type EventDocument } from '../server/events/event.document';
import { AUDIT_EVENTS_COLLECTION } from '../server/events/event.model';
import { consistencyProofRanges, createIntegrity, generateSigningKey, inclusionProofRanges, leafHash, MemoryMerkleTree, verifyInclusion } from '../server/integrity';
import { benchTenant, makeBenchEvent, makeBenchInput } from './lib/bench-events';
import { runBenchProgram } from './lib/bench-main';
import type { BenchResult } from './lib/bench-report';
import { alternate, median, summarise, summariseRate, timeMs } from './lib/bench-stats';

export const INTEGRITY_SIZES = { events: { quick: 1_000, full: 5_000 }, rounds: { quick: 2, full: 5 }, leaves: { quick: 1_000_000, full: 1_000_000 }, memoryLeaves: { quick: 65_536, full: 1_000_000 }, proofs: { quick: 20, full: 50 } };

export async function runIntegrityBench(uri: string, sizes: { events: number; rounds: number; leaves: number; memoryLeaves: number; proofs: number }): Promise<BenchResult> {
  const started = Date.now();
  const connection = await mongoose.createConnection(uri, { dbName: `bench_integrity_${Date.now().toString(36)}` }).asPromise();
  const key = generateSigningKey('bench-2026');
  // The sealer at its shipped settings (SEALER_DEFAULTS: poll 1 s, batches of up to 5,000), as a host
  // runs it. It once polled every 200 ms here: five times the passes a host makes, each a few small
  // commands, which measured the bench's setting rather than the product's.
  const server = createAuditServer({ connection, logger: pino({ level: 'silent' }), integrity: { signingKey: key.signerKey } });
  await server.ready;
  const { integrity } = server.services;
  const audit = { record: server.services.events.recorder.record, flush: server.services.flush, metrics: server.services.metrics };
  const collection = connection.db!.collection<EventDocument>(AUDIT_EVENTS_COLLECTION);
  let offset = 0;
  let recorded = 0;
  const occurredAt = (index: number) => new Date(Date.UTC(2026, 5, 1) + index * 1_000);
  const catchUp: number[] = [];
  try {
    const { ours, raw } = await alternate({
      rounds: sizes.rounds,
      warmUp: 1,
      ours: async () => {
        const inputs = Array.from({ length: sizes.events }, (_, n) => makeBenchInput('bench-sealed', offset + n, occurredAt(offset + n)));
        offset += sizes.events;
        recorded += sizes.events;
        const ms = await timeMs(async () => {
          for (const input of inputs) audit.record(input);
          await audit.flush();
        });
        const flushed = Date.now();
        // Seals live apart from events: the log's size says how many are sealed.
        while (((await integrity.store.state('bench-sealed'))?.size ?? 0) < recorded) await new Promise((done) => setTimeout(done, 100));
        catchUp.push(Date.now() - flushed);
        return sizes.events / (ms / 1000);
      },
      raw: async () => {
        const documents = Array.from({ length: sizes.events }, (_, n) => toEventDocument(makeBenchEvent(benchTenant(1), offset + n, occurredAt(offset + n)), (hex) => new ObjectId(hex)));
        offset += sizes.events;
        const ms = await timeMs(async () => {
          for (let start = 0; start < documents.length; start += 500) await collection.insertMany(documents.slice(start, start + 500), { ordered: false });
        });
        return sizes.events / (ms / 1000);
      },
    });
    await integrity.sealer.stop();
    // The sealing pass is timed alone: a second integrity slice over the same database, no background sealer.
    const sealing = createIntegrity({ db: server.services.db, events: createEventSealsRepository(server.services.db), logger: pino({ level: 'silent' }), settings: { signingKey: key.signerKey, seal: false } });

    // Sealing and verifying, on a tenant stored unsealed through the driver.
    const documents = Array.from({ length: sizes.events }, (_, n) => toEventDocument(makeBenchEvent('bench-verify', n, occurredAt(n)), (hex) => new ObjectId(hex)));
    for (let start = 0; start < documents.length; start += 500) await collection.insertMany(documents.slice(start, start + 500), { ordered: false });
    const sealMs = await timeMs(() => sealing.sealer.checkpointNow('bench-verify'));
    let report: Awaited<ReturnType<typeof integrity.verify>> | undefined;
    const verifyMs = await timeMs(async () => (report = await sealing.verify('bench-verify')));
    const proofMs: number[] = [];
    for (let i = 0; i < sizes.proofs; i++) {
      const id = documents[Math.floor((i * documents.length) / sizes.proofs)]!._id;
      proofMs.push(await timeMs(() => sealing.inclusionProof('bench-verify', id)));
    }
    const memory = proofSizes(sizes.leaves, sizes.memoryLeaves);
    const [oursRate, rawRate] = [summariseRate(ours), summariseRate(raw)];
    const ratio = oursRate.median / rawRate.median;
    const single = (value: number) => ({ median: value, p95: value, samples: 1 });
    return {
      bench: 'integrity',
      sizes,
      rows: [
        { case: 'record() with sealing on vs insertMany×500', metric: 'events/s', unit: 'events/s, p95 = slowest 5%', ours: oursRate, raw: rawRate, ratio, target: '≥ 0.8', met: ratio >= 0.8 },
        { case: 'sealing pass vs insertMany×500', metric: 'events/s', unit: 'one pass', ours: single(sizes.events / (sealMs / 1000)), raw: rawRate, ratio: sizes.events / (sealMs / 1000) / rawRate.median, target: 'keeps up (≥ the ingest rate)', met: null },
        { case: 'verify (whole tenant) vs insertMany×500', metric: 'events/s', unit: 'one run', ours: single(sizes.events / (verifyMs / 1000)), raw: rawRate, ratio: sizes.events / (verifyMs / 1000) / rawRate.median, target: '—', met: null },
      ],
      figures: {
        sealingEventsPerSecond: Math.round(sizes.events / (sealMs / 1000)),
        catchUpAfterFlushMs: summarise(catchUp),
        verifyEventsPerSecond: Math.round(sizes.events / (verifyMs / 1000)),
        verifyOk: report?.ok,
        inclusionProofMs: summarise(proofMs),
        inclusionProofMedianMs: median(proofMs),
        ...memory,
        metrics: audit.metrics(),
      },
      notes: report?.ok ? [] : [`verify failed: ${JSON.stringify(report?.failure)}`],
      durationMs: Date.now() - started,
    };
  } finally {
    await server.close();
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
}

/**
 * Proof sizes for a tenant of `leaves` events from the tree's shape alone (RFC 9162: one hash per
 * planned range, inclusionProofRanges/consistencyProofRanges), checked against a real in-memory tree
 * of `memoryLeaves` (the sealer's own append), whose proofs must have exactly the planned length
 * and verify. No million events need storing or hashing.
 */
function proofSizes(leaves: number, memoryLeaves: number) {
  const index = Math.floor(leaves * 0.7);
  const inclusionHashes = inclusionProofRanges(index, leaves).length;
  const consistencyHashes = consistencyProofRanges(Math.floor(leaves / 3), leaves).length;
  const tree = new MemoryMerkleTree();
  const startedAt = Date.now();
  for (let at = 0; at < memoryLeaves; at += 10_000) tree.append(Array.from({ length: Math.min(10_000, memoryLeaves - at) }, (_, i) => leafHash(Buffer.from(`event ${at + i}`))));
  const appendMs = Math.max(1, Date.now() - startedAt);
  const memoryIndex = Math.floor(memoryLeaves * 0.7);
  const proof = tree.inclusionProof(memoryIndex);
  if (proof.length !== inclusionProofRanges(memoryIndex, memoryLeaves).length) throw new Error('the in-memory proof is not as long as the tree shape says');
  if (!verifyInclusion(leafHash(Buffer.from(`event ${memoryIndex}`)), memoryIndex, memoryLeaves, proof, tree.root())) throw new Error('the in-memory proof does not verify');
  if (tree.consistencyProof(Math.floor(memoryLeaves / 3)).length !== consistencyProofRanges(Math.floor(memoryLeaves / 3), memoryLeaves).length) throw new Error('the in-memory consistency proof is not as long as the tree shape says');
  const json = JSON.stringify({ position: index, size: leaves, proof: Array.from({ length: inclusionHashes }, () => Buffer.alloc(32).toString('base64')) });
  return {
    leaves,
    memoryLeaves,
    inMemoryAppendLeavesPerSecond: Math.round(memoryLeaves / (appendMs / 1000)),
    inclusionProofHashes: inclusionHashes,
    inclusionProofBytes: inclusionHashes * 32,
    inclusionProofJsonBytes: Buffer.byteLength(json),
    consistencyProofHashes: consistencyHashes,
    consistencyProofBytes: consistencyHashes * 32,
  };
}

if (require.main === module) {
  runBenchProgram('integrity', (server, args) =>
    runIntegrityBench(server.uri, { events: args.number('events', INTEGRITY_SIZES.events), rounds: args.number('rounds', INTEGRITY_SIZES.rounds), leaves: args.number('leaves', INTEGRITY_SIZES.leaves), memoryLeaves: args.number('memory-leaves', INTEGRITY_SIZES.memoryLeaves), proofs: args.number('proofs', INTEGRITY_SIZES.proofs) }),
  );
}
