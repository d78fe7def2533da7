import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import pino from 'pino';
import { createApp } from './app';
import { createAuditLog } from './audit-log';
import { loadConfigOrExit, type TConfig } from './config';
import { createContextFactory, type TApiContext } from './context';
import { startEmbeddedMongo, type EmbeddedMongo } from './db/embedded-mongo';
import { createAuditLogApiRouter } from './router';

/** The standalone audit-log API: `npm run build && npm run start:api`. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = pino({ name: 'audit-log-api', level: config.LOG_LEVEL });
  if (!config.API_TOKEN_SECRET) {
    process.stderr.write('Invalid configuration:\n  - API_TOKEN_SECRET: required by the standalone API (at least 32 characters)\n');
    process.exit(1);
  }

  let embedded: EmbeddedMongo | undefined;
  let mongoUri = config.MONGODB_URI;
  if (!mongoUri) {
    embedded = await startEmbeddedMongo({ dataDir: `${config.DATA_DIR}/mongo`, log: (line) => logger.info(line) });
    mongoUri = embedded.uri;
    logger.info({ server: embedded.description }, 'MONGODB_URI unset: started an embedded MongoDB-protocol server');
  }
  const connection = await mongoose.createConnection(mongoUri, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis error'));

  const audit = await createAuditLog({
    connection,
    redis: config.AUDIT_SPILL_TO_REDIS ? redis : undefined,
    redisPrefix: config.REDIS_PREFIX,
    logger,
    recorder: { batchSize: config.AUDIT_BATCH_SIZE, flushIntervalMs: config.AUDIT_FLUSH_INTERVAL_MS, maxQueuedEvents: config.AUDIT_MAX_QUEUED_EVENTS },
  });
  const router = createAuditLogApiRouter<TApiContext>({
    audit,
    cursorSecret: cursorSecretFrom(config, config.API_TOKEN_SECRET),
    resolveCaller: (ctx) => ctx.caller,
  });
  const app = createApp({
    router,
    createContext: createContextFactory({ logger, apiTokenSecret: config.API_TOKEN_SECRET }),
    logger,
    corsOrigins: config.CORS_ORIGINS,
    bodyLimitBytes: config.API_BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    readiness: { mongo: connection, redis },
  });
  const server = app.listen(config.PORT, config.HOST, () => logger.info({ url: `http://${config.HOST}:${config.PORT}/trpc` }, 'audit-log API listening'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests, draining the recorder');
    const forced = setTimeout(() => process.exit(1), 30_000).unref();
    await closeServer(server);
    await audit.close({ timeoutMs: 20_000 }).catch((error: unknown) => logger.error({ err: error }, 'recorder did not drain'));
    await connection.close();
    redis.disconnect();
    await embedded?.stop();
    clearTimeout(forced);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** A dedicated CURSOR_SECRET, or one derived from the token secret so a single secret suffices. */
export function cursorSecretFrom(config: Pick<TConfig, 'CURSOR_SECRET'>, apiTokenSecret: string): string {
  return config.CURSOR_SECRET ?? createHmac('sha256', apiTokenSecret).update('crm-audit-log cursor key').digest('base64url');
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    // Idle keep-alive sockets would hold close() open; requests in flight still finish.
    server.closeIdleConnections();
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`audit-log API failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
