/**
 * Fairness of reads between tenants: tenant B's one-row page, p95, idle and while tenant A's admins
 * send batched text searches at full speed (several clients), with the per-tenant read limiter on
 * (the defaults: one heavy read per tenant) and off ("before": every read runs at once). The ratio
 * loaded/idle is the figure issue 14 holds to ≤ 2. A page of B that fails counts with the time it
 * took (figures.failedPagesOfB says how many).
 *   npm run bench -- fairness [--quick] [--events N] [--samples N] [--clients N] [--seconds N]
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import mongoose from 'mongoose';
import pino from 'pino';
import { createAuditLogClient } from '../client';
import type { TAuditCaller } from '../server/access';
import { createAuditServer } from '../server/audit-server';
import { bearerToken, signApiToken, verifyApiToken } from '../server/auth/api-token';
import { ObjectId } from 'mongodb';
import { AUDIT_EVENTS_COLLECTION, toEventDocument, type EventDocument } from '../server/events';
import type { ReadLimits } from '../server/read-limits';
import { benchTenant, makeBenchEvent, seedBenchEvents } from './lib/bench-events';
import { runBenchProgram } from './lib/bench-main';
import type { BenchResult, BenchRow } from './lib/bench-report';
import { summarise, timeMs } from './lib/bench-stats';
import { floodSearches, type FloodOutcome } from './lib/tenant-flood';

/**
 * Quick: small sizes that keep `npm run bench -- --quick` under 3 minutes (the unlimited side's pages take seconds each under load).
 * Full: 1,000 events of A, 20 s phases, 6 clients, so the whole run stays under its 20 minutes. On FerretDB v1 B's page and
 * A's searches are each a scan of the whole collection, so the loaded/idle ratio does not depend on its size, and a smaller
 * one gives more of B's pages per phase: at 20,000 events a 60 s phase held a handful of pages (p95 = the worst) and the
 * bench took 522 s; the limiter-off side's one loaded page waits for the flood's 30 searches (45 s at 2,000 events).
 */
export const FAIRNESS_SIZES = { events: { quick: 500, full: 1_000 }, samples: { quick: 12, full: 40 }, clients: { quick: 2, full: 6 }, seconds: { quick: 3, full: 20 } };
const SECRET = 'bench-fairness-secret-0123456789abcdef!!';
const NEWEST = new Date('2026-06-30T12:00:00Z');
const B_EVENTS = 300;
/** As before the limiter: more slots than any load here asks for, and no read time limit to speak of. */
const UNLIMITED: Partial<ReadLimits> = { perTenant: 1_000, total: 1_000, queuedPerTenant: 1_000, heavyPerTenant: 1_000, heavyTotal: 1_000, maxTimeMS: 600_000 };

interface Variant {
  name: string;
  limits: Partial<ReadLimits> | undefined;
}

export async function runFairnessBench(uri: string, sizes: { events: number; samples: number; clients: number; seconds: number }): Promise<BenchResult> {
  const started = Date.now();
  const connection = await mongoose.createConnection(uri, { dbName: `bench_fairness_${Date.now().toString(36)}` }).asPromise();
  const collection = connection.db!.collection<EventDocument>(AUDIT_EVENTS_COLLECTION);
  try {
    // Tenant A (tenant-0) holds the events; tenant B (tenant-1) a few hundred.
    const seeded = await seedBenchEvents(collection, { tenants: 1, events: sizes.events, newest: NEWEST });
    const ofB = Array.from({ length: B_EVENTS }, (_, index) => toEventDocument(makeBenchEvent(benchTenant(1), index, new Date(NEWEST.getTime() - index * 1_000)), (hex) => new ObjectId(hex)));
    await collection.insertMany(ofB, { ordered: false });
    const rows: BenchRow[] = [];
    const floods: Record<string, FloodOutcome> = {};
    const failedPages: Record<string, number> = {};
    // The limiter first: searches the unlimited side leaves running in the database (a server that
    // cannot stop them at once) would otherwise weigh on the next side's figures.
    for (const variant of [{ name: 'limiter on (defaults)', limits: undefined }, { name: 'limiter off (before)', limits: UNLIMITED }] satisfies Variant[]) {
      const measured = await measureVariant(connection, variant, sizes);
      floods[variant.name] = measured.flood;
      failedPages[variant.name] = measured.failedPages;
      const ratio = measured.loaded.p95 / measured.idle.p95;
      // Reported before → after, as always: unshift puts the side measured second (off) first.
      rows.unshift({ case: `B's one-row page under A's load, ${variant.name}`, metric: 'p95', unit: 'ms; raw = the same page with A idle', ours: measured.loaded, raw: measured.idle, ratio, target: '≤ 2', met: ratio <= 2 });
    }
    return {
      bench: 'fairness',
      sizes: { ...sizes, batch: 5, eventsOfB: B_EVENTS },
      rows,
      figures: { seeded: { events: seeded.events, seconds: Number((seeded.ms / 1000).toFixed(1)) }, floods, failedPagesOfB: failedPages, loadAverage: loadavg().map((value) => Number(value.toFixed(2))) },
      notes: ["A's load: each client sends one batched GET of 5 text searches (50 rows each) and the next once answered; B pages one row at a time."],
      durationMs: Date.now() - started,
    };
  } finally {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
}

async function measureVariant(connection: mongoose.Connection, variant: Variant, sizes: { samples: number; clients: number; seconds: number }) {
  const audit = createAuditServer({
    connection,
    logger: pino({ level: 'silent' }),
    secret: SECRET,
    recordReads: false,
    readLimits: variant.limits,
    resolveActor: (req: { headers: { authorization?: string } }) => {
      const token = bearerToken(req.headers.authorization);
      const caller = token ? verifyApiToken(token, SECRET) : null;
      return caller && { tenantId: caller.tenantId, actor: { id: caller.actorId, role: caller.role, type: 'api_key' as const } };
    },
  });
  await audit.ready;
  const app = express().use('/audit-log', audit.expressRouter());
  const server: Server = await new Promise((ready) => {
    const listening = app.listen(0, '127.0.0.1', () => ready(listening));
  });
  // Longer than any pause between B's pages: a keep-alive socket the server closed meanwhile fails the next request.
  server.keepAliveTimeout = 600_000;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit-log/trpc`;
  const tokenOf = (caller: TAuditCaller) => signApiToken(caller, SECRET, { ttlSeconds: 3_600 });
  const b = createAuditLogClient({ url, headers: () => ({ authorization: `Bearer ${tokenOf({ tenantId: benchTenant(1), actorId: 'admin-b', role: 'admin' })}` }) });
  // A page that fails (the read time limit, a refusal) counts with the time it took: the figure is
  // what B waited, and one failure must not end the run (it did, under load, at maxTimeMS).
  let failedPages = 0;
  const pageOfB = () =>
    timeMs(() =>
      b.auditLog.events.list.query({ limit: 1 }).catch(() => {
        failedPages += 1;
      }),
    );
  // At most `seconds` per phase, at least `atLeast` pages: with the limiter off one page can take
  // tens of seconds under load, so there one is enough (it is the "before" side, not the figure).
  const pagesOfB = async (atLeast: number) => {
    const times: number[] = [];
    const until = Date.now() + sizes.seconds * 1_000;
    while (times.length < sizes.samples && (times.length < atLeast || Date.now() < until)) times.push(await pageOfB());
    return summarise(times);
  };
  try {
    for (let n = 0; n < 2; n++) await pageOfB();
    const idle = await pagesOfB(3);
    const flood = floodSearches({
      url,
      token: tokenOf({ tenantId: benchTenant(0), actorId: 'admin-a', role: 'admin' }),
      clients: sizes.clients,
      batch: 5,
      search: (n) => ({ search: `e${n % 10}`, limit: 50 }),
    });
    await new Promise((done) => setTimeout(done, 1_000));
    const loaded = await pagesOfB(variant.limits === UNLIMITED ? 1 : 3);
    return { idle, loaded, flood: await flood.stop(), failedPages };
  } finally {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await audit.close();
  }
}

if (require.main === module) {
  runBenchProgram('fairness', (server, args) =>
    runFairnessBench(server.uri, { events: args.number('events', FAIRNESS_SIZES.events), samples: args.number('samples', FAIRNESS_SIZES.samples), clients: args.number('clients', FAIRNESS_SIZES.clients), seconds: args.number('seconds', FAIRNESS_SIZES.seconds) }),
  );
}
