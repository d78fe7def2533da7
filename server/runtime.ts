import type { Server } from 'node:http';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import { createAuditServer, type AuditServer, type AuditServerOptions } from './audit-server';
import { withTimeout } from './common/with-timeout';
import { auditServerOptionsFrom, ConfigError, type TConfig } from './config';

export interface ProcessRuntime {
  connection: Connection;
  server: AuditServer;
  /** Closes `httpServer` (requests in flight finish), drains the recorder, then closes the services and the connections. */
  close(options?: { httpServer?: Server }): Promise<void>;
}

/**
 * What the audit log's own processes (the bin's worker and API) need, built from config once: a
 * connection with the installed mongoose, Redis, and the audit server over them.
 */
export async function openProcessRuntime(config: TConfig, logger: Logger, extra: Partial<AuditServerOptions> = {}): Promise<ProcessRuntime> {
  if (!config.MONGODB_URI) throw new ConfigError(['MONGODB_URI: required (a mongodb:// or mongodb+srv:// URI)']);
  const connection = await mongoose.createConnection(config.MONGODB_URI, { dbName: databaseNameOf(config.MONGODB_URI), serverSelectionTimeoutMS: 15_000 }).asPromise();
  const server = createAuditServer({ ...auditServerOptionsFrom(config), ...extra, connection, logger });
  try {
    const redis = server.services.connected?.redis.client;
    if (redis) await withTimeout(redis.ping(), 5_000, `Redis did not answer at ${new URL(config.REDIS_URL).host} within 5 s (REDIS_URL)`);
    await withTimeout(server.ready, 30_000, 'the audit log did not start within 30 s (indexes, Redis subscriptions)');
  } catch (error) {
    await server.close({ timeoutMs: 1_000 }).catch(() => undefined);
    await connection.close();
    throw error;
  }
  return {
    connection,
    server,
    async close(closeOptions = {}) {
      await server.close({ ...closeOptions, timeoutMs: 20_000 }).catch((error: unknown) => logger.error({ err: error }, 'recorder did not drain'));
      await connection.close();
    },
  };
}

/** The URI's database, or `crm` (the demo CRM's) when it names none. */
export function databaseNameOf(uri: string): string {
  const path = uri.replace(/^mongodb(\+srv)?:\/\/[^/]*/, '').split('?')[0] ?? '';
  return path.replace(/^\//, '') || 'crm';
}
