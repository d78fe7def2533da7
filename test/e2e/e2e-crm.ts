import type { TRPCClient } from '@trpc/client';
import type { Worker } from 'bullmq';
import pino from 'pino';
import type { AppRouter } from '../../examples/crm/app-router';
import { createCrmApp, crmActorOf } from '../../examples/crm/crm-app';
import { seedDemoData } from '../../examples/crm/seed';
import { DEMO_PASSWORD } from '../../examples/crm/seed-data';
import { createAuditLog } from '../../plugins';
import { createCookieClient } from '../helpers/cookie-client';
import { connectTestMongo, connectTestRedis } from '../helpers/test-databases';
import { listenOnFreePort } from './listen';

const SECRET = 'e2e-secret-e2e-secret-e2e-secret-0123456789';

/**
 * The demo CRM as `npm start` runs it (audit log with exports, notifications, live events, an
 * export worker, the built admin UI at /audit-log) on a free port, over a fresh database and Redis prefix.
 */
export async function startE2eCrm(label: string) {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const mongo = await connectTestMongo(label);
  const redis = await connectTestRedis(label);
  const audit = createAuditLog({
    connection: mongo.connection,
    redis: redis.redis,
    redisPrefix: redis.prefix,
    secret: SECRET,
    logger,
    recorder: { flushIntervalMs: 20 },
    resolveActor: crmActorOf,
    trustProxy: 1,
  });
  await audit.ready;
  const crm = await createCrmApp({ connection: mongo.connection, auditLog: audit, logger });
  await seedDemoData(crm.models);
  const worker: Worker = await audit.startWorker({ progressIntervalMs: 200 });
  const http = await listenOnFreePort(crm.app);
  http.server.keepAliveTimeout = 120_000;
  const { origin } = http;

  /** Another session, straight through the CRM's API (cookie kept per client), as a second user's browser would. */
  async function apiSession(tenant: string, email: string): Promise<TRPCClient<AppRouter>> {
    const client = createCookieClient<AppRouter>(`${origin}/trpc`, {
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      ip: '198.51.100.23',
    });
    await client.auth.login.mutate({ tenant, email, password: DEMO_PASSWORD });
    return client;
  }

  return {
    origin,
    audit,
    apiSession,
    async stop() {
      await http.close();
      await worker.close();
      await audit.close();
      await mongo.drop();
      await redis.cleanup();
    },
  };
}

export type E2eCrm = Awaited<ReturnType<typeof startE2eCrm>>;
