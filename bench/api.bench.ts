/**
 * API overhead: for each filter pattern, the first page of events.list through tRPC over HTTP (the
 * standalone API app, bearer token, our client) against the raw driver find with the same filter,
 * sort, hint and limit plus the round trip of an empty procedure on the same app. Alternating rounds.
 * On a real MongoDB it also reports explain figures and page-200/page-1 latency (see index-fit.ts).
 *   node --require ./test/helpers/swc-register.js bench/api.bench.ts [--events 1000] [--rounds 7] [--quick]
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import express from 'express';
import mongoose from 'mongoose';
import pino from 'pino';
import { createAuditLogClient } from '../client';
import { createAuditServer, type AuditServer } from '../server/audit-server';
import { bearerToken, signApiToken, verifyApiToken } from '../server/auth/api-token';
import { createAuditHttpContext, type AuditHttpContext } from '../server/http/express-router';
import { ZEventFilters } from '../server/events/event-filters.schema';
import { buildEventFilter, EVENT_SORT, indexFor } from '../server/events/event-query';
import type { EventDocument } from '../server/events/event.document';
import { AUDIT_EVENTS_COLLECTION } from '../server/events/event.model';
import { createAuditLogRouter } from '../server/router';
import { createProcedures, router } from '../server/trpc';
import type { TAuditCaller } from '../server/access';
import { apiPatterns } from './lib/api-patterns';
import { benchTenant, seedBenchEvents } from './lib/bench-events';
import { explainReport } from './lib/index-fit';
import { runBenchProgram } from './lib/bench-main';
import type { BenchResult, BenchRow } from './lib/bench-report';
import { alternate, summarise, timeMs } from './lib/bench-stats';

/**
 * Full: 1,000 events (250 per tenant) × 7 rounds per pattern, so the whole run stays under its 20 minutes:
 * on FerretDB v1 every page is a scan of the whole collection (stored form v2: about 0.5 ms per stored
 * event quiet), so 3,000 × 11 took 435 s there. The first page is still 50 events where the filter
 * matches that many (none, date range) and the median is over 7 alternating pairs.
 */
export const API_SIZES = { events: { quick: 500, full: 1_000 }, rounds: { quick: 2, full: 7 } };
const TENANTS = 4;
const PAGE = 50;
const TOKEN_SECRET = 'bench-api-token-secret-0123456789abcdef';
const NEWEST = new Date('2026-06-30T12:00:00Z');

/** The API router as the standalone server mounts it, plus an empty procedure behind the same access checks. */
function benchRouter(audit: AuditServer) {
  const resolveCaller = (ctx: AuditHttpContext) => {
    const token = bearerToken(ctx.req.headers.authorization);
    return token ? verifyApiToken(token, TOKEN_SECRET) : null;
  };
  const { adminProcedure } = createProcedures<AuditHttpContext>({ resolveCaller, canRead: (caller) => caller.role === 'admin', requestIdOf: (ctx) => ctx.requestId ?? 'bench', logger: audit.logger, reads: audit.services.reads });
  return router({
    auditLog: createAuditLogRouter<AuditHttpContext>(audit.services, { cursorSecret: 'bench-cursor-secret-0123456789abcdef!!', resolveCaller }),
    bench: router({ empty: adminProcedure.query(() => null) }),
  });
}
type BenchRouter = ReturnType<typeof benchRouter>;

export async function runApiBench(uri: string, sizes: { events: number; rounds: number }, options: { explain?: boolean } = {}): Promise<BenchResult> {
  const started = Date.now();
  const logger = pino({ level: 'silent' });
  const connection = await mongoose.createConnection(uri, { dbName: `bench_api_${Date.now().toString(36)}` }).asPromise();
  const audit = createAuditServer({ connection, logger, secret: TOKEN_SECRET });
  await audit.ready;
  const collection = connection.db!.collection<EventDocument>(AUDIT_EVENTS_COLLECTION);
  const app = express();
  app.use('/trpc', createExpressMiddleware({ router: benchRouter(audit), createContext: createAuditHttpContext, maxBodySize: 100_000 }));
  const server: Server = await new Promise((ready) => {
    const listening = app.listen(0, '127.0.0.1', () => ready(listening));
  });
  try {
    const seeded = await seedBenchEvents(collection, { tenants: TENANTS, events: sizes.events, newest: NEWEST });
    const tenantId = benchTenant(0);
    const caller: TAuditCaller = { tenantId, actorId: 'bench-admin', actorName: 'Bench Admin', role: 'admin' };
    const token = signApiToken(caller, TOKEN_SECRET);
    const client = createAuditLogClient<BenchRouter>({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`, headers: () => ({ authorization: `Bearer ${token}` }) });
    const patterns = apiPatterns(NEWEST, Math.floor(sizes.events / TENANTS));

    const rows: BenchRow[] = [];
    const emptyMs: number[] = [];
    for (const pattern of patterns) {
      const filters = ZEventFilters.parse(pattern.filters);
      const findRaw = () => collection.find(buildEventFilter(tenantId, filters), { sort: EVENT_SORT, hint: indexFor(filters), limit: PAGE }).toArray();
      let expected = -1;
      const { ours, raw } = await alternate({
        rounds: sizes.rounds,
        warmUp: 1,
        ours: () =>
          timeMs(async () => {
            const page = await client.auditLog.events.list.query({ ...pattern.filters, limit: PAGE });
            if (expected >= 0 && page.items.length !== expected) throw new Error(`${pattern.name}: ${page.items.length} events through the API, ${expected} raw`);
          }),
        raw: async () => {
          let empty = 0;
          const find = await timeMs(async () => void (expected = (await findRaw()).length));
          empty = await timeMs(() => client.bench.empty.query());
          emptyMs.push(empty);
          return find + empty;
        },
      });
      const summary = { ours: summarise(ours), raw: summarise(raw) };
      const ratio = summary.ours.median / summary.raw.median;
      rows.push({ case: pattern.name, metric: 'first page p50', unit: `ms, ${PAGE} events; raw = find + empty round trip`, ...summary, ratio, target: '≤ 1.2', met: ratio <= 1.2 });
    }
    const figures: Record<string, unknown> = {
      seeded: { events: seeded.events, tenants: TENANTS, seconds: Number((seeded.ms / 1000).toFixed(1)) },
      emptyProcedureMs: summarise(emptyMs),
    };
    if (options.explain) figures.explain = await explainReport(collection, tenantId, patterns);
    return {
      bench: 'api',
      sizes: { ...sizes, tenants: TENANTS, pageSize: PAGE },
      rows,
      figures,
      notes: options.explain ? [] : ['Index fit: explain (keysExamined/nReturned, SORT stage) and page-200/page-1 latency run only against a real MongoDB (MONGODB_URI); here the unit test test/unit/event-index-fit.test.ts checks the fit of every accepted filter combination.'],
      durationMs: Date.now() - started,
    };
  } finally {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await audit.close();
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
  }
}

if (require.main === module) {
  runBenchProgram('api', (server, args) => runApiBench(server.uri, { events: args.number('events', API_SIZES.events), rounds: args.number('rounds', API_SIZES.rounds) }, { explain: server.kind === 'mongodb' }));
}
