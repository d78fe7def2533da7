import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { HostDatabase } from '../db/host-database';
import type { ActionCatalog, ErasedPerson, EventRepository, TAuditEvent, TAuditEventInput } from '../events';
import type { NotificationRepository, NotificationService } from '../notifications';
import type { AuditProcedures } from '../trpc';
import { createExportDownloadRouter, type DownloadRouteDeps } from './download.route';
import type { ExportIntegrity } from './export-integrity';
import { eraseNamesInExportRecords, removeExportsHoldingErasedEvents } from './export-erasure';
import { createExportLinks } from './export-links';
import { createExportQueue, type ExportQueue } from './export.job';
import { createExportRepository } from './export.repository';
import { createExportService, type ExportLimits } from './export.service';
import { createExportSlots } from './export-slots';
import { createGridFsExportStorage, type ExportStorage } from './export-storage';
import { startExportWorker, type ExportWorkerOptions } from './export-worker';
import { createExportsRouter } from './exports.router';

export const EXPORT_DEFAULTS = { retentionDays: 7, maxRunningPerTenant: 2, maxQueuedPerRequester: 5, maxQueuedPerTenant: 20, basePath: '/audit-log' } as const;

export interface ExportsSettings extends ExportLimits {
  retentionDays: number;
  maxRunningPerTenant: number;
  /** Absolute URL of the host, for links in notifications. */
  publicUrl?: string;
  /** Where the host mounts the audit log's express router: download links lead there. */
  basePath: string;
  /** How long an in-app download link works (default 15 minutes); downloads also need the requester's session. */
  linkLifetimeMs?: number;
  storage?: ExportStorage;
}

export interface ExportsDeps {
  db: HostDatabase;
  redis: { client: Redis; prefix: string };
  events: EventRepository;
  catalog: ActionCatalog;
  record: (event: TAuditEventInput) => string;
  notifications: { service: NotificationService; repository: NotificationRepository };
  downloadSecret: string;
  /** Proofs and signed manifests, when the log is signed in this process (the integrity slice). */
  integrity?: ExportIntegrity;
  settings: ExportsSettings;
  logger: Logger;
  clock: () => Date;
}

/**
 * The exports slice, whole: records, queue, file store, fair slots, links, the tRPC procedures, the
 * download route and the worker that runs the jobs.
 */
export function createExports(deps: ExportsDeps) {
  const { db, redis, settings, clock } = deps;
  const repository = createExportRepository(db);
  // Made with the first export request or worker: BullMQ is 4 MB of heap a host holds only once it exports.
  let queue: ExportQueue | undefined;
  const exportQueue = () => (queue ??= createExportQueue(redis.client, redis.prefix));
  const storage = settings.storage ?? createGridFsExportStorage(db);
  const slots = createExportSlots(redis.client, redis.prefix, { limit: settings.maxRunningPerTenant, leaseMs: 60_000 });
  const links = createExportLinks({ secret: deps.downloadSecret, linkBase: `${settings.publicUrl ?? ''}${settings.basePath}`, lifetimeMs: settings.linkLifetimeMs, clock });
  const service = createExportService({ exports: repository, queue: exportQueue, links, retentionDays: settings.retentionDays, limits: settings, signed: deps.integrity !== undefined, clock });

  return {
    repository,
    service,
    get queue() {
      return exportQueue();
    },
    storage,
    links,
    router: (procedures: AuditProcedures) => createExportsRouter(procedures, service),
    downloadRouter: (access: Pick<DownloadRouteDeps, 'resolveCaller' | 'canRead' | 'signInUrl'>) =>
      createExportDownloadRouter({ exports: repository, storage, links, record: deps.record, logger: deps.logger, ...access, clock }),
    startWorker: (options?: ExportWorkerOptions) =>
      startExportWorker(
        {
          job: { exports: repository, links, notifications: deps.notifications.service, record: deps.record, events: deps.events, storage, slots, catalog: deps.catalog, integrity: deps.integrity, logger: deps.logger, clock },
          retention: { exports: repository, storage, notifications: deps.notifications.repository },
          queue: exportQueue(),
          db,
          connection: redis.client,
          prefix: redis.prefix,
        },
        options,
      ),
    /** After an erasure: removes the files that held erased events (export-erasure.ts). */
    removeFilesHolding: (tenantId: string, erasedEvents: readonly TAuditEvent[]) => removeExportsHoldingErasedEvents({ exports: repository, storage }, tenantId, erasedEvents, clock()),
    /** After an erasure: export records no longer name the person (export-erasure.ts). */
    eraseNamesIn: (tenantId: string, person: ErasedPerson) => eraseNamesInExportRecords({ exports: repository, storage }, tenantId, person, clock()),
    close: async () => queue?.close(),
  };
}

export type Exports = ReturnType<typeof createExports>;
