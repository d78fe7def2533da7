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
  const connection = await mongoose.createConnection(uri, { dbName: databaseNameOf(uri), serverSelectionTimeoutMS: 15_000 }).asPromise();
  const redis = config.AUDIT_SPILL_TO_REDIS ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: true }) : undefined;
  if (redis) await redis.connect().catch((error: Error) => logger.warn({ err: error }, 'Redis unreachable: audit events past the memory bound will be refused'));
  const auditLog = await createAuditLog({
    connection,
    redis: redis?.status === 'ready' ? redis : undefined,
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

/** The URI's database, or `crm` when it names none. */
export function databaseNameOf(uri: string): string {
  const path = uri.replace(/^mongodb(\+srv)?:\/\/[^/]*/, '').split('?')[0] ?? '';
  return path.replace(/^\//, '') || 'crm';
}
