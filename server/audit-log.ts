import type { Redis } from 'ioredis';
import { ObjectId } from 'mongodb';
import type { Connection } from 'mongoose';
import pino, { type Logger } from 'pino';
import { createActionCatalog, type ActionCatalog, type TCustomActionInput } from './events/action-catalog';
import { buildAuditEvent } from './events/build-event';
import { toEventDocument, type EventDocument } from './events/event.document';
import type { TAuditEventInput } from './events/event.schema';
import { createEventWritesRepository } from './events/event-writes.repository';
import { auditContext } from './recorder/audit-context';
import type { BackoffPolicy } from './recorder/backoff';
import { BatchRecorder, type RecorderCounters } from './recorder/batch-recorder';
import { RedisSpillStore } from './recorder/redis-spill-store';

export interface CreateAuditLogOptions {
  /** The host's mongoose connection; events go to its `audit_events` collection. */
  connection: Connection;
  /** Where events overflow when MongoDB is slow or down. Without it, overflow throws AuditLogOverloadedError. */
  redis?: Redis;
  redisPrefix?: string;
  logger?: Logger;
  /** The host's own actions, each with a zod schema for its metadata. */
  actions?: TCustomActionInput[];
  recorder?: Partial<{ batchSize: number; flushIntervalMs: number; maxQueuedEvents: number; backoff: BackoffPolicy }>;
  clock?: () => Date;
}

export interface AuditLog {
  /**
   * Validates the event, fills tenant, actor and request context from the current scope, assigns its
   * id and queues it; returns the id at once. Throws AuditEventValidationError for an invalid event
   * (a bug in the caller), AuditLogOverloadedError past the memory bound without a spill store,
   * AuditLogClosedError after close(). Never waits for, or throws because of, MongoDB.
   */
  record(event: TAuditEventInput): string;
  flush(): Promise<void>;
  close(options?: { timeoutMs?: number }): Promise<void>;
  metrics(): RecorderCounters;
  /**
   * Calls `listener` with every batch of events once stored (e.g. to publish them for live views);
   * returns the function that removes it. Listeners must not block; what they throw is logged.
   */
  onEventsWritten(listener: (documents: EventDocument[]) => void): () => void;
  readonly catalog: ActionCatalog;
  readonly connection: Connection;
  readonly logger: Logger;
}

export const RECORDER_DEFAULTS = { batchSize: 500, flushIntervalMs: 100, maxQueuedEvents: 100_000 } as const;

/** Builds the recorder and creates the indexes; call once per process (tests: once per suite). */
export async function createAuditLog(options: CreateAuditLogOptions): Promise<AuditLog> {
  const logger = options.logger ?? pino({ name: 'audit-log' });
  const catalog = createActionCatalog(options.actions);
  const writes = createEventWritesRepository(options.connection);
  await options.connection.asPromise();
  await writes.ensureIndexes();

  const clock = options.clock ?? (() => new Date());
  const writtenListeners = new Set<(documents: EventDocument[]) => void>();
  const recorder = new BatchRecorder({
    ...RECORDER_DEFAULTS,
    ...options.recorder,
    writeBatch: (documents) => writes.insertBatch(documents),
    onWritten: (documents) => writtenListeners.forEach((listener) => listener(documents)),
    spill: options.redis ? new RedisSpillStore(options.redis, options.redisPrefix ?? 'audit') : undefined,
    logger,
  });

  return {
    record(input) {
      const event = buildAuditEvent(input, { catalog, now: clock(), id: new ObjectId().toHexString(), scope: auditContext.current() });
      recorder.enqueue(toEventDocument(event));
      return event.id;
    },
    flush: () => recorder.flush(),
    close: (closeOptions) => recorder.close(closeOptions),
    metrics: () => recorder.metrics(),
    onEventsWritten(listener) {
      writtenListeners.add(listener);
      return () => void writtenListeners.delete(listener);
    },
    catalog,
    connection: options.connection,
    logger,
  };
}
