import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import express from 'express';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import superjson from 'superjson';
import { createApp } from '../../server/app';
import { createAuditLog, type AuditLog } from '../../server/audit-log';
import { bearerToken, signApiToken, verifyApiToken } from '../../server/auth/api-token';
import { createContextFactory, type TApiContext } from '../../server/context';
import { createExportDownloadRouter } from '../../server/exports/download.route';
import { createAuditLogApiRouter, type AuditLogApiRouter } from '../../server/router';
import { createServices, type Services } from '../../server/services';
import type { TAuditCaller } from '../../server/trpc';
import { realmSafeFetch } from './api-server';
import { connectTestMongo, connectTestRedis, joinTestMongo, joinTestRedis, type TestMongo, type TestRedis } from './test-databases';

export const STACK_SECRET = 'test-secret-test-secret-test-secret-0123';
const SECRET = STACK_SECRET;

export interface AuditStack {
  mongo: TestMongo;
  redis: TestRedis;
  audit: AuditLog;
  services: Services;
  baseUrl: string;
  /** A typed client signed in as `caller`, with SSE subscriptions. */
  clientFor(caller: TAuditCaller): ReturnType<typeof createTRPCClient<AuditLogApiRouter>>;
  tokenFor(caller: TAuditCaller): string;
  close(): Promise<void>;
}

/**
 * The audit log and its services over a suite's database and Redis prefix, with a short flush
 * interval; `subscriber` is the live-delivery connection the caller disconnects on close.
 */
export async function openTestAuditServices(mongo: TestMongo, redis: TestRedis, logger: Logger, signingSecret: string) {
  const subscriber = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const audit = await createAuditLog({ connection: mongo.connection, redis: redis.redis, redisPrefix: redis.prefix, logger, recorder: { flushIntervalMs: 20 } });
  const services = await createServices({
    audit,
    redis: redis.redis,
    redisSubscriber: subscriber,
    redisPrefix: redis.prefix,
    exports: { signingSecret, retentionDays: 7, maxRunningPerTenant: 2 },
  });
  return { audit, services, subscriber };
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
  const { audit, services, subscriber } = await openTestAuditServices(mongo, redis, logger, SECRET);
  const router = createAuditLogApiRouter<TApiContext>({ audit, cursorSecret: SECRET, resolveCaller: (ctx) => ctx.caller, services });
  const api = createApp({
    router,
    createContext: createContextFactory({ logger, apiTokenSecret: SECRET }),
    logger,
    corsOrigins: [],
    bodyLimitBytes: 100_000,
    readiness: { mongo: mongo.connection, redis: redis.redis },
  });
  const app = express();
  app.use(
    createExportDownloadRouter({
      exports: services.exports.repository,
      storage: services.exports.storage,
      signingSecret: SECRET,
      audit,
      logger,
      resolveCaller: (req) => {
        const token = bearerToken(req.headers.authorization);
        return token ? verifyApiToken(token, SECRET) : null;
      },
    }),
  );
  app.use(api);
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
    audit,
    services,
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
      await audit.close();
      await services.close();
      subscriber.disconnect();
      await mongo.drop();
      await redis.cleanup();
    },
  };
}
