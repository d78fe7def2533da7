import type { Redis } from 'ioredis';
import type { AuditLog } from './audit-log';
import type { EventDocument } from './events/event.document';
import { AUDIT_EVENTS_COLLECTION } from './events/event.model';
import { createExportQueue } from './exports/export-queue';
import { createExportRepository } from './exports/export.repository';
import { createExportService } from './exports/export.service';
import { createExportSlots } from './exports/export-slots';
import { createGridFsExportStorage, type ExportStorage } from './exports/export-storage';
import type { TAuditEvent } from './events/event.schema';
import { createLiveEvents, type TWatchMessage } from './live/live-events';
import { createRedisFanout } from './live/redis-fanout';
import { createNotificationRepository } from './notifications/notification.repository';
import type { TNotification } from './notifications/notification.schema';
import { createNotificationService, type NotificationChannels } from './notifications/notification.service';

export interface ServicesOptions {
  audit: AuditLog;
  /** For BullMQ and publishing; `maxRetriesPerRequest: null`, as BullMQ requires. */
  redis: Redis;
  /** A second connection in subscriber mode, for live delivery. */
  redisSubscriber: Redis;
  redisPrefix: string;
  exports: { signingSecret: string; retentionDays: number; maxRunningPerTenant: number; publicUrl?: string; storage?: ExportStorage };
  notificationChannels?: NotificationChannels;
  clock?: () => Date;
}

/**
 * Builds the repositories and services the API and the workers share. Tests call it with their
 * own connections; nothing here is a module-level singleton.
 */
export async function createServices(options: ServicesOptions) {
  const db = options.audit.connection.db;
  if (!db) throw new Error('createServices needs a connected mongoose connection');
  const { redisPrefix: prefix, clock } = options;

  const exportRepository = createExportRepository(db);
  const notificationRepository = createNotificationRepository(db);
  await Promise.all([exportRepository.ensureIndexes(), notificationRepository.ensureIndexes()]);

  const queue = createExportQueue(options.redis, prefix);
  const fanout = await createRedisFanout<TNotification>({
    publisher: options.redis,
    subscriber: options.redisSubscriber,
    channel: `${prefix}:live:notifications`,
  });
  const eventsFanout = await createRedisFanout<TAuditEvent[]>({
    publisher: options.redis,
    subscriber: options.redisSubscriber,
    channel: `${prefix}:live:events`,
  });
  const watchFanout = await createRedisFanout<TWatchMessage>({
    publisher: options.redis,
    subscriber: options.redisSubscriber,
    channel: `${prefix}:live:watch`,
  });
  const liveEvents = createLiveEvents({ audit: options.audit, fanout: eventsFanout, watch: watchFanout });
  const notificationService = createNotificationService({
    notifications: notificationRepository,
    fanout,
    channels: options.notificationChannels,
    logger: options.audit.logger,
    clock,
  });
  const exportService = createExportService({
    exports: exportRepository,
    queue,
    signingSecret: options.exports.signingSecret,
    retentionDays: options.exports.retentionDays,
    publicUrl: options.exports.publicUrl,
    clock,
  });

  return {
    audit: options.audit,
    events: db.collection<EventDocument>(AUDIT_EVENTS_COLLECTION),
    /** Newly stored events for live views (`events.live`), across instances. */
    liveEvents,
    exports: {
      repository: exportRepository,
      service: exportService,
      queue,
      storage: options.exports.storage ?? createGridFsExportStorage(db),
      slots: createExportSlots(options.redis, prefix, { limit: options.exports.maxRunningPerTenant, leaseMs: 60_000 }),
      signingSecret: options.exports.signingSecret,
    },
    notifications: { repository: notificationRepository, service: notificationService, fanout },
    async close(): Promise<void> {
      liveEvents.close();
      await watchFanout.close();
      await eventsFanout.close();
      await fanout.close();
      await queue.close();
    },
  };
}

export type Services = Awaited<ReturnType<typeof createServices>>;
