import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import type { Collection } from 'mongodb';
import pino, { type Logger } from 'pino';
import superjson from 'superjson';
import { createApp } from '../../server/app';
import { createAuditServer, type AuditServer, type AuditServerOptions } from '../../server/audit-server';
import { bearerToken, signApiToken, verifyApiToken } from '../../server/auth/api-token';
import type { EventDocument } from '../../server/events/event.document';
import { AUDIT_EVENTS_COLLECTION } from '../../server/events/event.model';
import type { AuditLogApiRouter } from '../../server/router';
import type { AuditServices } from '../../server/services';
import type { TAuditCaller } from '../../server/access';
import { realmSafeFetch } from './api-server';
import { connectTestMongo, connectTestRedis, joinTestMongo, joinTestRedis, type TestMongo, type TestRedis } from './test-databases';

export const STACK_SECRET = 'test-secret-test-secret-test-secret-0123';
const SECRET = STACK_SECRET;

export interface AuditStack {
  mongo: TestMongo;
  redis: TestRedis;
  server: AuditServer;
  services: AuditServices;
  /** The driver collection of stored events. */
  events: Collection<EventDocument>;
  /** Signs a download link with the stack's key (to forge expired or foreign ones). */
  signDownloadLink(claims: { exportId: string; tenantId: string; requesterId: string; expiresAt: number }): string;
  audit: { record: AuditServices['events']['recorder']['record']; flush(): Promise<void> };
  baseUrl: string;
  /** A typed client signed in as `caller`, with SSE subscriptions. */
  clientFor(caller: TAuditCaller): ReturnType<typeof createTRPCClient<AuditLogApiRouter>>;
  tokenFor(caller: TAuditCaller): string;
  close(): Promise<void>;
}

/** The bearer-token identity of the standalone API (server/main.ts), for the test stacks. */
export const bearerIdentity = (secret: string) => (req: { headers: { authorization?: string } }) => {
  const token = bearerToken(req.headers.authorization);
  const caller = token ? verifyApiToken(token, secret) : null;
  return caller && { tenantId: caller.tenantId, actor: { id: caller.actorId, name: caller.actorName, role: caller.role, type: 'api_key' as const } };
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
    secret: SECRET,
    recorder: { flushIntervalMs: 20 },
    resolveActor: bearerIdentity(SECRET),
    ...options,
  });
  await server.ready;
  return server;
}

/**
 * The audit log as deployed: API over real HTTP, services, real MongoDB-protocol server and Redis.
 * `joining` starts another instance on the same database and Redis prefix, as a load balancer would
 * put behind one URL; closing it leaves the data to the first.
 */
export async function startAuditStack(label: string, options: { joining?: AuditStack } = {}): Promise<AuditStack> {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const { joining } = options;
  const mongo = joining ? await joinTestMongo(joining.mongo.dbName) : await connectTestMongo(label);
  const redis = joining ? joinTestRedis(joining.redis.prefix) : await connectTestRedis(label);
  const auditServer = await openTestAuditServer(mongo, redis, logger);
  const { services } = auditServer;
  const app = createApp({
    server: auditServer,
    logger,
    corsOrigins: [],
    bodyLimitBytes: 100_000,
    readiness: { mongo: mongo.connection, redis: redis.redis },
  });
  const server: Server = await new Promise((done) => {
    const listening = app.listen(0, '127.0.0.1', () => done(listening));
  });
  // Longer than any pause between a test's requests: a reused keep-alive socket that the server
  // closed meanwhile would fail the next request with ECONNRESET.
  server.keepAliveTimeout = 120_000;
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokenFor = (caller: TAuditCaller) => signApiToken(caller, SECRET, { ttlSeconds: 3_600 });

  return {
    mongo,
    redis,
    server: auditServer,
    services,
    events: mongo.connection.db!.collection<EventDocument>(AUDIT_EVENTS_COLLECTION),
    signDownloadLink: (claims) => services.connected!.exports.links.sign(claims),
    audit: { record: services.events.recorder.record, flush: services.flush },
    baseUrl,
    tokenFor,
    clientFor(caller) {
      const authorization = `Bearer ${tokenFor(caller)}`;
      return createTRPCClient<AuditLogApiRouter>({
        links: [
          splitLink({
            condition: (operation) => operation.type === 'subscription',
            true: httpSubscriptionLink({
              url: `${baseUrl}/trpc`,
              transformer: superjson,
              EventSource,
              eventSourceOptions: () => ({
                fetch: (input: string | URL | Request, init?: RequestInit) =>
                  fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization } }),
              }),
            }),
            false: httpBatchLink({ url: `${baseUrl}/trpc`, transformer: superjson, fetch: realmSafeFetch, headers: () => ({ authorization }) }),
          }),
        ],
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      await auditServer.close();
      await mongo.drop();
      await redis.cleanup();
    },
  };
}
