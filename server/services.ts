import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { hostDatabase } from './db/host-database';
import {
  createActionCatalog,
  createAffectedRecordsRepository,
  createEventErasureRepository,
  createEventRecorder,
  createEventRepository,
  createEventWritesRepository,
  createLiveEvents,
  type EventDocument,
  type TAuditEvent,
  type TCustomActionInput,
  type TWatchMessage,
} from './events';
import { createExports, EXPORT_DEFAULTS, type ExportsSettings } from './exports';
import { createRedisFanout, createSessionEnds, type TSessionEnd } from './live';
import { createNotificationRepository, createNotificationService, notificationChannelsFrom, type NotificationChannelSettings, type TNotification } from './notifications';
import { TenantReadLimiter, type ReadLimits } from './read-limits';
import { BatchRecorder, RedisSpillStore, type BackoffPolicy, type RecorderCounters } from './recorder';

export const RECORDER_DEFAULTS = { batchSize: 500, flushIntervalMs: 100, maxQueuedEvents: 100_000 } as const;
export { EXPORT_DEFAULTS };

export interface AuditRedis {
  /** Commands, BullMQ and publishing; `maxRetriesPerRequest: null`, as BullMQ requires. */
  client: Redis;
  /** Subscriber mode, for live delivery. */
  subscriber: Redis;
  /** Every key and queue starts with it. */
  prefix: string;
}

export interface AuditServicesOptions {
  /** The host's mongoose connection (mongoose 8 or 9); it may still be connecting. */
  connection: Connection;
  /** Without Redis: no spill store, no exports, notifications or live views (they answer PRECONDITION_FAILED). */
  redis?: AuditRedis;
  logger: Logger;
  actions?: TCustomActionInput[];
  /** A single-tenant host's tenant. */
  defaultTenantId?: string;
  recorder?: Partial<{ batchSize: number; flushIntervalMs: number; maxQueuedEvents: number; backoff: BackoffPolicy }>;
  /** Signs download links (at least 32 characters). */
  downloadSecret: string;
  exports?: Partial<ExportsSettings>;
  notifications?: NotificationChannelSettings;
  /** How many expensive reads run at once per tenant and in all, in this process (server/read-limits). */
  readLimits?: Partial<ReadLimits>;
  clock?: () => Date;
}

/**
 * Builds every repository and service of one process, once, synchronously: the host can make the
 * audit log at module load. What needs the database or Redis (indexes, subscriptions) happens in
 * `start()`; `record()` before that queues as usual.
 */
export function createAuditServices(options: AuditServicesOptions) {
  const { logger, redis } = options;
  const clock = options.clock ?? (() => new Date());
  const db = hostDatabase(options.connection);
  const catalog = createActionCatalog(options.actions);
  const writes = createEventWritesRepository(db);
  const writtenListeners = new Set<(documents: EventDocument[]) => void>();
  const onEventsWritten = (listener: (documents: EventDocument[]) => void) => {
    writtenListeners.add(listener);
    return () => void writtenListeners.delete(listener);
  };
  const batches = new BatchRecorder<EventDocument>({
    ...RECORDER_DEFAULTS,
    ...options.recorder,
    writeBatch: writes.insertBatch,
    onWritten: (documents) => writtenListeners.forEach((listener) => listener(documents)),
    spill: redis ? new RedisSpillStore<EventDocument>(redis.client, redis.prefix, db.driver.BSON) : undefined,
    logger,
  });
  const affected = createAffectedRecordsRepository(db);
  const recorder = createEventRecorder({ catalog, db, batches, affected, logger, clock, defaultTenantId: options.defaultTenantId });
  const events = { recorder, repository: createEventRepository(db, { maxTimeMS: options.readLimits?.maxTimeMS }), affected, erasure: createEventErasureRepository(db) };
  const connected = redis ? connectedServices(redis, { db, events, catalog, onEventsWritten, options, clock }) : undefined;

  return {
    db,
    catalog,
    logger,
    events,
    /** Admits the expensive reads of every router of this process, fairly per tenant. */
    reads: new TenantReadLimiter(options.readLimits),
    /** Exports, notifications and live views: present when Redis is configured. */
    connected,
    onEventsWritten,
    metrics: (): RecorderCounters & ReturnType<typeof recorder.counters> => ({ ...batches.metrics(), ...recorder.counters() }),
    flush: () => batches.flush(),

    /** Indexes and subscriptions; resolves when done. Failures reject (the caller logs them). */
    async start(): Promise<void> {
      await db.opened();
      await Promise.all([writes.ensureIndexes(), connected?.exports.repository.ensureIndexes(), connected?.notifications.repository.ensureIndexes(), connected?.ready]);
    },

    /** Drains the recorder (up to `timeoutMs`, then the rest moves to the spill store), then closes the services. */
    async close({ timeoutMs = 20_000 }: { timeoutMs?: number } = {}): Promise<void> {
      try {
        await batches.close({ timeoutMs });
      } finally {
        events.repository.close();
        await connected?.close();
      }
    },
  };
}

/** What needs Redis: live fan-out, notifications, exports. */
function connectedServices(
  redis: AuditRedis,
  deps: {
    db: ReturnType<typeof hostDatabase>;
    events: { recorder: { record: ReturnType<typeof createEventRecorder>['record'] }; repository: ReturnType<typeof createEventRepository> };
    catalog: ReturnType<typeof createActionCatalog>;
    onEventsWritten: (listener: (documents: EventDocument[]) => void) => () => void;
    options: AuditServicesOptions;
    clock: () => Date;
  },
) {
  const { options, clock } = deps;
  const fanoutOn = <T>(kind: string) => createRedisFanout<T>({ publisher: redis.client, subscriber: redis.subscriber, channel: `${redis.prefix}:live:${kind}` });
  const notificationFanout = fanoutOn<TNotification>('notifications');
  const eventsFanout = fanoutOn<TAuditEvent[]>('events');
  const watchFanout = fanoutOn<TWatchMessage>('watch');
  const sessionFanout = fanoutOn<TSessionEnd>('sessions');
  const live = createLiveEvents({ onEventsWritten: deps.onEventsWritten, logger: options.logger, fanout: eventsFanout, watch: watchFanout });
  const notificationRepository = createNotificationRepository(deps.db);
  const notificationService = createNotificationService({
    notifications: notificationRepository,
    fanout: notificationFanout,
    channels: notificationChannelsFrom(options.notifications),
    logger: options.logger,
    clock,
  });
  const exports = createExports({
    db: deps.db,
    redis,
    events: deps.events.repository,
    catalog: deps.catalog,
    record: deps.events.recorder.record,
    notifications: { service: notificationService, repository: notificationRepository },
    downloadSecret: options.downloadSecret,
    settings: { ...EXPORT_DEFAULTS, ...options.exports },
    logger: options.logger,
    clock,
  });

  return {
    live,
    sessionEnds: createSessionEnds(sessionFanout),
    exports,
    notifications: { repository: notificationRepository, service: notificationService, fanout: notificationFanout },
    redis,
    ready: Promise.all([notificationFanout.ready, eventsFanout.ready, watchFanout.ready, sessionFanout.ready]).then(() => undefined),
    async close(): Promise<void> {
      live.close();
      await watchFanout.close();
      await sessionFanout.close();
      await eventsFanout.close();
      await notificationFanout.close();
      await exports.close();
    },
  };
}

export type AuditServices = ReturnType<typeof createAuditServices>;
export type ConnectedServices = NonNullable<AuditServices['connected']>;
