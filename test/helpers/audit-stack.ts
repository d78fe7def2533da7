import type { TRPCClient } from '@trpc/client';
import { ObjectId, type Collection } from 'mongodb';
import pino, { type Logger } from 'pino';
import { createAuditLogClient, type AuditLogApiRouter } from '../../client';
import type { TAuditCaller } from '../../server/access';
import { createApp } from '../../server/app';
import { createAuditServer, type AuditServer, type AuditServerOptions } from '../../server/audit-server';
import { bearerToken, signApiToken, verifyApiToken } from '../../server/auth/api-token';
import { AUDIT_EVENTS_COLLECTION, toEventDocument, type EventDocument, type TAuditEvent } from '../../server/events';
import type { AuditServices } from '../../server/services';
import { realmSafeFetch } from './realm-safe-fetch';
import { connectTestMongo, connectTestRedis, joinTestMongo, joinTestRedis, type TestMongo, type TestRedis } from './test-databases';
import { listenOnFreePort } from './http-server';

/** Signs the stack's page cursors and download links, and its callers' bearer tokens. */
export const STACK_SECRET = 'test-secret-test-secret-test-secret-0123';
export const API_TOKEN_SECRET = STACK_SECRET;

export interface AuditStack {
  mongo: TestMongo;
  redis: TestRedis;
  server: AuditServer;
  services: AuditServices;
  /** The driver collection of stored events. */
  events: Collection<EventDocument>;
  audit: { record: AuditServices['events']['recorder']['record']; flush(): Promise<void> };
  /** The API's origin (`http://127.0.0.1:<port>`) and its tRPC endpoint. */
  origin: string;
  url: string;
  /** A typed client (the package's: queries, mutations and SSE subscriptions) signed in as `caller`, or anonymous. */
  client(caller: TAuditCaller | null): TRPCClient<AuditLogApiRouter>;
  tokenFor(caller: TAuditCaller): string;
  /** Inserts complete events straight through the driver (much faster than record()). */
  seed(events: TAuditEvent[]): Promise<void>;
  /** Cuts every open HTTP connection of this instance (event streams included), as a proxy restart would. */
  dropConnections(): void;
  /** Signs a download link with the stack's key (to forge expired or foreign ones). */
  signDownloadLink(claims: { exportId: string; tenantId: string; requesterId: string; expiresAt: number }): string;
  close(): Promise<void>;
}

export interface AuditStackOptions {
  /** Another instance on the same database and Redis prefix, as a load balancer puts behind one URL; closing it leaves the data to the first. */
  joining?: AuditStack;
  recordReads?: boolean;
  corsOrigins?: string[];
  pageStreams?: false;
  trustProxy?: boolean;
  flushIntervalMs?: number;
  notifications?: AuditServerOptions['notifications'];
  readLimits?: AuditServerOptions['readLimits'];
  live?: AuditServerOptions['live'];
  /** A Redis of the test's own (one it restarts); default the shared one. */
  redisUrl?: string;
  integrity?: AuditServerOptions['integrity'];
}

/** The bearer-token identity of the standalone API (server/main.ts). */
export const bearerIdentity = (secret: string) => (req: { headers: { authorization?: string } }) => {
  const token = bearerToken(req.headers.authorization);
  const caller = token ? verifyApiToken(token, secret) : null;
  return caller && { tenantId: caller.tenantId, actor: { id: caller.actorId, name: caller.actorName, email: caller.actorEmail, role: caller.role, type: 'api_key' as const } };
};

/**
 * The audit server over a suite's database and Redis prefix, with a short flush interval, once it
 * has started (indexes exist, live delivery subscribed).
 */
export async function openTestAuditServer(mongo: TestMongo, redis: TestRedis, logger: Logger, options: Partial<AuditServerOptions> = {}): Promise<AuditServer> {
  const server = createAuditServer({
    connection: mongo.connection,
    redis: redis.redis,
    redisPrefix: redis.prefix,
    logger,
    secret: STACK_SECRET,
    recorder: { flushIntervalMs: 20 },
    resolveActor: bearerIdentity(API_TOKEN_SECRET),
    ...options,
  });
  await server.ready;
  return server;
}

/**
 * The one test stack: the audit log as deployed (the standalone API app over real HTTP, its
 * services, a real MongoDB-protocol server and Redis), on a free port, over a fresh database and
 * Redis prefix.
 */
export async function startAuditStack(label: string, options: AuditStackOptions = {}): Promise<AuditStack> {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const { joining } = options;
  const mongo = joining ? await joinTestMongo(joining.mongo.dbName) : await connectTestMongo(label);
  const redis = joining ? joinTestRedis(joining.redis.prefix, options.redisUrl) : await connectTestRedis(label, options.redisUrl);
  const auditServer = await openTestAuditServer(mongo, redis, logger, {
    recordReads: options.recordReads,
    pageStreams: options.pageStreams,
    recorder: { flushIntervalMs: options.flushIntervalMs ?? 20 },
    notifications: options.notifications,
    readLimits: options.readLimits,
    live: options.live,
    integrity: options.integrity,
  });
  const { services } = auditServer;
  const app = createApp({
    server: auditServer,
    logger,
    corsOrigins: options.corsOrigins ?? [],
    bodyLimitBytes: 100_000,
    trustProxy: options.trustProxy,
    readiness: { mongo: mongo.connection, redis: redis.redis },
  });
  const listening = await listenOnFreePort(app);
  // Longer than any pause between a test's requests: a reused keep-alive socket that the server
  // closed meanwhile would fail the next request with ECONNRESET.
  listening.server.keepAliveTimeout = 120_000;
  const { origin } = listening;
  const url = `${origin}/trpc`;
  const tokenFor = (caller: TAuditCaller) => signApiToken(caller, API_TOKEN_SECRET, { ttlSeconds: 3_600 });
  const events = mongo.connection.db!.collection<EventDocument>(AUDIT_EVENTS_COLLECTION);

  return {
    mongo,
    redis,
    server: auditServer,
    services,
    events,
    audit: { record: services.events.recorder.record, flush: services.flush },
    origin,
    url,
    tokenFor,
    client: (caller) => createAuditLogClient({ url, fetch: realmSafeFetch, headers: () => (caller ? { authorization: `Bearer ${tokenFor(caller)}` } : {}) }),
    async seed(seeded) {
      for (let start = 0; start < seeded.length; start += 1_000) {
        await events.insertMany(seeded.slice(start, start + 1_000).map((event) => toEventDocument(event, (hex) => new ObjectId(hex))), { ordered: false });
      }
    },
    dropConnections: () => listening.server.closeAllConnections(),
    signDownloadLink: (claims) => services.connected!.exports.links.sign(claims),
    async close() {
      await listening.close();
      await auditServer.close();
      await mongo.drop();
      await redis.cleanup();
    },
  };
}
