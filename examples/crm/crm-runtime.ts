import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import { createAuditLog, type AuditLog } from '../../server/audit-log';
import type { TConfig } from '../../server/config';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../server/db/embedded-mongo';

/**
 * The process-level pieces the CRM runs on: MongoDB (MONGODB_URI, or an embedded server keeping its
 * data in DATA_DIR/mongo), Redis for the recorder's overflow, and the audit log. Shared by the
 * start and seed commands; `close()` flushes the audit log before anything is disconnected.
 */
export interface CrmRuntime {
  connection: Connection;
  auditLog: AuditLog;
  redis: Redis | undefined;
  database: string;
  close(): Promise<void>;
}

export async function startCrmRuntime(config: TConfig, logger: Logger): Promise<CrmRuntime> {
  let embedded: EmbeddedMongo | undefined;
  let uri = config.MONGODB_URI;
  if (!uri) {
    const dataDir = join(config.DATA_DIR, 'mongo');
    mkdirSync(dataDir, { recursive: true });
    embedded = await startEmbeddedMongo({ dataDir, memoryServerTimeoutMs: 15_000, log: (line) => logger.info(line) });
    uri = embedded.uri;
  }
  try {
    return await connectAuditedDatabase(config, logger, uri, embedded);
  } catch (error) {
    // A failed start must not leave the embedded server running behind the exiting process.
    await embedded?.stop();
    throw error;
  }
}

async function connectAuditedDatabase(config: TConfig, logger: Logger, uri: string, embedded: EmbeddedMongo | undefined): Promise<CrmRuntime> {
  const connection = await mongoose.createConnection(uri, { dbName: databaseNameOf(uri), serverSelectionTimeoutMS: 15_000 }).asPromise();
  const redis = config.AUDIT_SPILL_TO_REDIS ? await connectSpillRedis(config.REDIS_URL, logger) : undefined;
  const auditLog = await createAuditLog({
    connection,
    redis,
    redisPrefix: config.REDIS_PREFIX,
    logger: logger.child({ component: 'audit-log' }),
    recorder: { batchSize: config.AUDIT_BATCH_SIZE, flushIntervalMs: config.AUDIT_FLUSH_INTERVAL_MS, maxQueuedEvents: config.AUDIT_MAX_QUEUED_EVENTS },
  });
  return {
    connection,
    auditLog,
    redis,
    database: embedded ? embedded.description : 'MONGODB_URI',
    async close() {
      await auditLog.close({ timeoutMs: 10_000 });
      await connection.close();
      if (redis && redis.status !== 'end') await redis.quit().catch(() => redis.disconnect());
      await embedded?.stop();
    },
  };
}

/** Redis is the recorder's overflow, not a requirement: without it the CRM still starts, with a warning. */
async function connectSpillRedis(url: string, logger: Logger): Promise<Redis | undefined> {
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  redis.on('error', (error: Error) => logger.warn({ err: error }, 'Redis error'));
  try {
    await redis.connect();
    return redis;
  } catch (error) {
    logger.warn({ err: error }, 'Redis unreachable: audit events past the in-memory bound will be refused');
    redis.disconnect();
    return undefined;
  }
}

/** The URI's database, or `crm` when it names none. */
export function databaseNameOf(uri: string): string {
  const path = uri.replace(/^mongodb(\+srv)?:\/\/[^/]*/, '').split('?')[0] ?? '';
  return path.replace(/^\//, '') || 'crm';
}
