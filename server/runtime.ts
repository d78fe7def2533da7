import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import { createAuditLog, type AuditLog, type CreateAuditLogOptions } from './audit-log';
import { secretFrom, type TConfig } from './config';
import { startEmbeddedMongo, type EmbeddedMongo } from './db/embedded-mongo';
import { join } from 'node:path';
import { notificationChannelsFromConfig } from './notifications/notification-channels';
import { createServices, type Services } from './services';

export interface Runtime {
  connection: Connection;
  redis: Redis;
  audit: AuditLog;
  services: Services;
  embeddedMongo?: EmbeddedMongo;
  /** What the banner says the data lives in. */
  databaseDescription: string;
  /** Drains the recorder, then closes services and connections (and the embedded server). */
  close(): Promise<void>;
}

/**
 * What every runnable entry point (API, worker, demo CRM) needs, built from config once: MongoDB
 * (an embedded server when MONGODB_URI is unset), Redis, the recorder and the shared services.
 */
export async function openRuntime(
  config: TConfig,
  logger: Logger,
  options: { actions?: CreateAuditLogOptions['actions']; publicUrl?: string } = {},
): Promise<Runtime> {
  let embeddedMongo: EmbeddedMongo | undefined;
  let uri = config.MONGODB_URI;
  if (!uri) {
    embeddedMongo = await startEmbeddedMongo({ dataDir: join(config.DATA_DIR, 'mongo'), memoryServerTimeoutMs: 15_000, log: (line) => logger.info(line) });
    uri = embeddedMongo.uri;
    logger.info({ server: embeddedMongo.description }, 'MONGODB_URI unset: started an embedded MongoDB-protocol server');
  }
  try {
    return await connectRuntime(config, logger, uri, embeddedMongo, options);
  } catch (error) {
    // A failed start must not leave the embedded server running behind the exiting process.
    await embeddedMongo?.stop();
    throw error;
  }
}

async function connectRuntime(
  config: TConfig,
  logger: Logger,
  uri: string,
  embeddedMongo: EmbeddedMongo | undefined,
  options: { actions?: CreateAuditLogOptions['actions']; publicUrl?: string },
): Promise<Runtime> {
  const connection = await mongoose.createConnection(uri, { dbName: databaseNameOf(uri), serverSelectionTimeoutMS: 15_000 }).asPromise();
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const subscriber = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  for (const connectionToRedis of [redis, subscriber]) connectionToRedis.on('error', (error) => logger.warn({ err: error }, 'redis error'));
  try {
    await withTimeout(redis.ping(), 5_000, `Redis did not answer at ${new URL(config.REDIS_URL).host} within 5 s (REDIS_URL)`);
  } catch (error) {
    redis.disconnect();
    subscriber.disconnect();
    await connection.close();
    throw error;
  }

  const audit = await createAuditLog({
    connection,
    redis: config.AUDIT_SPILL_TO_REDIS ? redis : undefined,
    redisPrefix: config.REDIS_PREFIX,
    logger,
    actions: options.actions,
    recorder: { batchSize: config.AUDIT_BATCH_SIZE, flushIntervalMs: config.AUDIT_FLUSH_INTERVAL_MS, maxQueuedEvents: config.AUDIT_MAX_QUEUED_EVENTS },
  });
  const signing = secretFrom(config, 'EXPORT_SIGNING_SECRET');
  if (signing.isDevelopmentDefault) logger.warn('EXPORT_SIGNING_SECRET unset: using the development default');
  const services = await createServices({
    audit,
    redis,
    redisSubscriber: subscriber,
    redisPrefix: config.REDIS_PREFIX,
    exports: {
      signingSecret: signing.value,
      retentionDays: config.EXPORT_RETENTION_DAYS,
      maxRunningPerTenant: config.EXPORT_MAX_RUNNING_PER_TENANT,
      publicUrl: options.publicUrl ?? config.PUBLIC_URL,
    },
    notificationChannels: notificationChannelsFromConfig(config),
  });

  return {
    connection,
    redis,
    audit,
    services,
    embeddedMongo,
    databaseDescription: embeddedMongo ? embeddedMongo.description : 'MONGODB_URI',
    async close() {
      await audit.close({ timeoutMs: 20_000 }).catch((error: unknown) => logger.error({ err: error }, 'recorder did not drain'));
      await services.close();
      await connection.close();
      redis.disconnect();
      subscriber.disconnect();
      await embeddedMongo?.stop();
    },
  };
}

/** The URI's database, or `crm` (the demo CRM's) when it names none. */
export function databaseNameOf(uri: string): string {
  const path = uri.replace(/^mongodb(\+srv)?:\/\/[^/]*/, '').split('?')[0] ?? '';
  return path.replace(/^\//, '') || 'crm';
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(message)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
