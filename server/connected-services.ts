import type { HostDatabase } from './db/host-database';
import { createLiveEvents, createLiveReplayRepository, type ActionCatalog, type EventDocument, type EventRecorder, type EventRepository, type TAuditEvent, type TWatchMessage } from './events';
import { createExports, EXPORT_DEFAULTS, type ExportIntegrity } from './exports';
import { createRedisFanout, createSessionEnds, type TSessionEnd } from './live';
import { createNotificationRepository, createNotificationService, notificationChannelsFrom, type TNotification } from './notifications';
import type { TenantReadLimiter } from './read-limits';
import type { AuditRedis, AuditServicesOptions } from './services';

/**
 * What needs Redis: live fan-out, notifications, exports. Its own module, required by
 * services.ts only when Redis is configured: a host without Redis never loads these slices.
 */
export function connectedServices(
  redis: AuditRedis,
  deps: {
    db: HostDatabase;
    events: { recorder: { record: EventRecorder['record'] }; repository: EventRepository };
    catalog: ActionCatalog;
    onEventsWritten: (listener: (documents: EventDocument[]) => void) => () => void;
    options: AuditServicesOptions;
    exportIntegrity: ExportIntegrity | undefined;
    clock: () => Date;
    reads: TenantReadLimiter;
  },
) {
  const { options, clock } = deps;
  const fanoutOn = <T>(kind: string) => createRedisFanout<T>({ publisher: redis.client, subscriber: redis.subscriber, channel: `${redis.prefix}:live:${kind}` });
  const notificationFanout = fanoutOn<TNotification>('notifications');
  const eventsFanout = fanoutOn<TAuditEvent[]>('events');
  const watchFanout = fanoutOn<TWatchMessage>('watch');
  const sessionFanout = fanoutOn<TSessionEnd>('sessions');
  const live = createLiveEvents({
    onEventsWritten: deps.onEventsWritten,
    logger: options.logger,
    fanout: eventsFanout,
    watch: watchFanout,
    replay: createLiveReplayRepository(deps.db, { maxTimeMS: options.readLimits?.maxTimeMS }),
    maxReplay: options.live?.maxReplay,
    admitReplay: (tenantId) => deps.reads.acquire(tenantId),
  });
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
    integrity: deps.exportIntegrity,
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

