import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { hostDatabase } from './db/host-database';
import { createAffectedRecordsRepository } from './events/affected-records.repository';
import { createActionCatalog, type TCustomActionInput } from './events/action-catalog';
import type { EventDocument } from './events/event.document';
import { createEventErasureRepository } from './events/event-erasure.repository';
import { createEventRecorder } from './events/event-recorder';
import { createEventRepository } from './events/event.repository';
import type { TAuditEvent } from './events/event.schema';
import { createEventWritesRepository } from './events/event-writes.repository';
import { createExportQueue } from './exports/export-queue';
import { createExportRepository } from './exports/export.repository';
import { createExportService } from './exports/export.service';
import { createExportSlots } from './exports/export-slots';
import { createGridFsExportStorage, type ExportStorage } from './exports/export-storage';
import { createLiveEvents, type TWatchMessage } from './live/live-events';
import { createRedisFanout } from './live/redis-fanout';
import { notificationChannelsFrom, type NotificationChannelSettings } from './notifications/notification-channels';
import { createNotificationRepository } from './notifications/notification.repository';
import type { TNotification } from './notifications/notification.schema';
import { createNotificationService } from './notifications/notification.service';
import type { BackoffPolicy } from './recorder/backoff';
import { BatchRecorder, type RecorderCounters } from './recorder/batch-recorder';
import { RedisSpillStore } from './recorder/redis-spill-store';

export const RECORDER_DEFAULTS = { batchSize: 500, flushIntervalMs: 100, maxQueuedEvents: 100_000 } as const;
export const EXPORT_DEFAULTS = { retentionDays: 7, maxRunningPerTenant: 2, basePath: '/audit-log' } as const;

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
  exports?: Partial<{ retentionDays: number; maxRunningPerTenant: number; publicUrl: string; basePath: string; storage: ExportStorage }>;
  notifications?: NotificationChannelSettings;
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
    writeBatch: (documents) => writes.insertBatch(documents),
    onWritten: (documents) => writtenListeners.forEach((listener) => listener(documents)),
    spill: redis ? new RedisSpillStore(redis.client, redis.prefix, db.driver.BSON) : undefined,
    logger,
  });
  const affected = createAffectedRecordsRepository(db);
  const recorder = createEventRecorder({ catalog, db, batches, affected, logger, clock, defaultTenantId: options.defaultTenantId });
  const events = {
    recorder,
    repository: createEventRepository(db),
    affected,
    erasure: createEventErasureRepository(db),
  };
  const exportRepository = createExportRepository(db);
  const notificationRepository = createNotificationRepository(db);
  const connected = redis ? createRedisParts(redis, { db, exportRepository, notificationRepository, onEventsWritten, options, clock }) : undefined;

  return {
    db,
    catalog,
    logger,
    events,
    /** Exports, notifications and live views: present when Redis is configured. */
    connected,
    onEventsWritten,
    metrics: (): RecorderCounters & ReturnType<typeof recorder.counters> => ({ ...batches.metrics(), ...recorder.counters() }),
    flush: () => batches.flush(),

    /** Indexes and subscriptions; resolves when done. Failures reject (the caller logs them). */
    async start(): Promise<void> {
      await db.opened();
      await Promise.all([
        writes.ensureIndexes(),
        exportRepository.ensureIndexes(),
        notificationRepository.ensureIndexes(),
        connected?.ready,
      ]);
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

function createRedisParts(
  redis: AuditRedis,
  deps: {
    db: ReturnType<typeof hostDatabase>;
    exportRepository: ReturnType<typeof createExportRepository>;
    notificationRepository: ReturnType<typeof createNotificationRepository>;
    onEventsWritten: (listener: (documents: EventDocument[]) => void) => () => void;
    options: AuditServicesOptions;
    clock: () => Date;
  },
) {
  const { prefix } = redis;
  const { options, clock } = deps;
  const fanoutOn = <T>(kind: string) => createRedisFanout<T>({ publisher: redis.client, subscriber: redis.subscriber, channel: `${prefix}:live:${kind}` });
  const notificationFanout = fanoutOn<TNotification>('notifications');
  const eventsFanout = fanoutOn<TAuditEvent[]>('events');
  const watchFanout = fanoutOn<TWatchMessage>('watch');
  const live = createLiveEvents({ onEventsWritten: deps.onEventsWritten, logger: options.logger, fanout: eventsFanout, watch: watchFanout });
  const queue = createExportQueue(redis.client, prefix);
  const exportSettings = { ...EXPORT_DEFAULTS, ...options.exports };
  const notificationService = createNotificationService({
    notifications: deps.notificationRepository,
    fanout: notificationFanout,
    channels: notificationChannelsFrom(options.notifications),
    logger: options.logger,
    clock,
  });
  const exportService = createExportService({
    exports: deps.exportRepository,
    queue,
    signingSecret: options.downloadSecret,
    retentionDays: exportSettings.retentionDays,
    linkBase: `${exportSettings.publicUrl ?? ''}${exportSettings.basePath}`,
    clock,
  });

  return {
    live,
    exports: {
      repository: deps.exportRepository,
      service: exportService,
      queue,
      storage: exportSettings.storage ?? createGridFsExportStorage(deps.db),
      slots: createExportSlots(redis.client, prefix, { limit: exportSettings.maxRunningPerTenant, leaseMs: 60_000 }),
      signingSecret: options.downloadSecret,
    },
    notifications: { repository: deps.notificationRepository, service: notificationService, fanout: notificationFanout },
    redis,
    ready: Promise.all([notificationFanout.ready, eventsFanout.ready, watchFanout.ready]).then(() => undefined),
    async close(): Promise<void> {
      live.close();
      await watchFanout.close();
      await eventsFanout.close();
      await notificationFanout.close();
      await queue.close();
    },
  };
}

export type AuditServices = ReturnType<typeof createAuditServices>;
export type ConnectedServices = NonNullable<AuditServices['connected']>;
