import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { lazyModule } from './common/lazy-module';
import { hostDatabase } from './db/host-database';
import type { EventActivityRepository, EventDocument, EventErasureRepository, EventRepository, TErasureRequest, MigrationProgress, TCustomActionInput } from './events';
import {
  createActionCatalog,
  createAffectedRecordsRepository,
  createEventRecorder,
  createEventWritesRepository,
  createEventMigration,
  createEventSealsRepository,
} from './events/capture';
import type { ExportsSettings } from './exports';
import { checkpointPublisherFrom, consistencyProofRanges, createIntegrity, eventLeafHash, exportProofsOf, type CheckpointPublisher, type IntegritySettings } from './integrity/capture';
import type { NotificationChannelSettings } from './notifications';
import { TenantReadLimiter, type ReadLimits } from './read-limits';
import { BatchRecorder, checkRedisPersistence, durabilityOf, RedisSpillStore, WriteAheadLog, type BackoffPolicy, type RecorderCounters, type RedisPersistenceReport, type TDurabilityInput } from './recorder';

/*
 * The read side (event pages, the activity chart, erasure) and what needs Redis (exports,
 * notifications, live views) are loaded on first use: a host that only captures, or has not yet
 * served an API request, holds only what capture needs. Its resident heap is what the garbage
 * collector walks on every major collection of an allocation-heavy host request (issue 17).
 */
const eventReads = lazyModule(() => require('./events') as typeof import('./events'));
const connectedSlices = lazyModule(() => require('./connected-services') as typeof import('./connected-services'));

export const RECORDER_DEFAULTS = { batchSize: 500, flushIntervalMs: 100, maxQueuedEvents: 100_000 } as const;

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
  /** Durable (default), buffered or memory; where the write-ahead log lives (see server/recorder/durability.ts). */
  durability?: TDurabilityInput;
  /** Signs download links (at least 32 characters). */
  downloadSecret: string;
  /** Keys the pseudonymous ids of unknown identities (failed sign-ins); a development key without it. */
  identityKey?: string;
  exports?: Partial<ExportsSettings>;
  notifications?: NotificationChannelSettings;
  /** How many expensive reads run at once per tenant and in all, in this process (server/read-limits). */
  readLimits?: Partial<ReadLimits>;
  /** Live views: how many missed events a view replays before it tells its client to reload. */
  live?: { maxReplay?: number };
  /** The tamper-evident log: signing key, public keys, whether this process seals (docs/INTEGRITY.md). */
  integrity?: IntegritySettings;
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
  const durability = durabilityOf(options.durability);
  // One write-ahead log per database (its namespace), known once the connection has opened.
  const wal =
    durability.mode === 'memory'
      ? undefined
      : new WriteAheadLog<EventDocument>({ directory: durability.directory, namespace: async () => (await db.opened()).databaseName, bson: db.driver.BSON, logger });
  const batches = new BatchRecorder<EventDocument>({
    ...RECORDER_DEFAULTS,
    ...options.recorder,
    writeBatch: writes.insertBatch,
    onWritten: (documents) => writtenListeners.forEach((listener) => listener(documents)),
    spill: wal ?? (redis ? new RedisSpillStore<EventDocument>(redis.client, redis.prefix, db.driver.BSON) : undefined),
    journal: durability.mode === 'durable' ? wal : undefined,
    logger,
  });
  let redisPersistence: RedisPersistenceReport | undefined;
  const affected = createAffectedRecordsRepository(db);
  const recorder = createEventRecorder({ catalog, db, batches, affected, logger, clock, defaultTenantId: options.defaultTenantId, identityKey: options.identityKey });
  const migration = createEventMigration(db, recorder.encode);
  let repository: EventRepository | undefined;
  let activity: EventActivityRepository | undefined;
  let erasure: EventErasureRepository | undefined;
  const events = {
    recorder,
    get repository(): EventRepository {
      return (repository ??= eventReads().createEventRepository(db, { maxTimeMS: options.readLimits?.maxTimeMS }));
    },
    get activity(): EventActivityRepository {
      return (activity ??= eventReads().createEventActivityRepository(db));
    },
    affected,
    get erasure(): EventErasureRepository {
      return (erasure ??= eventReads().createEventErasureRepository(db));
    },
    migration,
  };
  const logged = (pass: Promise<MigrationProgress>): Promise<MigrationProgress> => {
    pass.then(
      (progress) => progress.migrated + progress.failed.length > 0 && logger.info({ ...progress, failed: progress.failed.length }, 'audit: events migrated to the stored form v2'),
      (error: unknown) => logger.error({ err: error }, 'audit: migration to the stored form v2 stopped (it resumes at the next start)'),
    );
    return pass;
  };
  /** A full pass of the migration to the stored form v2 (event-migration.repository.ts): erasure and `crm-audit-log migrate` wait for one. */
  const migrationPass = (): Promise<MigrationProgress> => logged(db.opened().then(() => migration.migrate()));
  const seals = createEventSealsRepository(db);
  // Where the log is kept, every written batch is noted for the sealer (which may run in another
  // process): ids, stored times and leaf hashes, so that it need not read the events to find them.
  if (options.integrity) {
    onEventsWritten((documents) =>
      void seals
        .noteArrivals(documents.map((document) => ({ _id: document._id, tenantId: document.tenantId, receivedAt: document.receivedAt, leaf: eventLeafHash(document) })))
        .catch((error: unknown) => logger.warn({ err: error }, 'integrity: could not note written events for the sealer; its full search finds them')),
    );
  }
  // The publisher needs the tree's proofs and the sealer calls it: bound once both exist.
  let publisher: CheckpointPublisher | undefined;
  const integrity = createIntegrity({ db, events: seals, logger, settings: options.integrity, clock: options.clock, onCheckpoint: (checkpoint) => void publisher?.publish(checkpoint) });
  publisher = checkpointPublisherFrom(options.integrity?.publish, {
    db,
    logger,
    clock,
    // From the stored tree itself: the checkpoint published earlier need not be (still) in the database.
    consistencyProof: (tenantId, from, to) => integrity.nodeHashes(tenantId, consistencyProofRanges(from, to)),
  });
  const exportIntegrity = exportProofsOf(integrity, seals, clock);
  const reads = new TenantReadLimiter(options.readLimits);
  const connected = redis ? connectedSlices().connectedServices(redis, { db, events, catalog, onEventsWritten, options, exportIntegrity, clock, reads }) : undefined;
  const flush = () => batches.flush();
  /** erase(subject, identities) across the tenant's stored and spilled events and export files (erase-data-subject.ts). */
  const eraseSubject = (tenantId: string, request: TErasureRequest) =>
    eventReads().eraseDataSubject(
      { erasure: events.erasure, flush, migrated: migrationPass, spill: { rewrite: (transform) => batches.rewriteBuffered(transform) }, exports: connected?.exports, clock },
      tenantId,
      request,
    );

  return {
    db,
    catalog,
    logger,
    events,
    /** Admits the expensive reads of every router of this process, fairly per tenant (live replays too). */
    reads,
    integrity,
    /** Exports, notifications and live views: present when Redis is configured. */
    connected,
    onEventsWritten,
    metrics: (): RecorderCounters & ReturnType<typeof recorder.counters> & SealingCounters => ({ ...batches.metrics(), ...recorder.counters(), ...sealingCounters(integrity.sealer.metrics()) }),
    flush,
    durability,
    /** What start-up found out about Redis persistence (undefined before, or without Redis). */
    redisPersistence: () => redisPersistence,
    /** Every event still held here (memory, write-ahead log or Redis spill) through `transform`; see SpillStore.rewrite. */
    rewriteBuffered: (transform: (document: EventDocument) => EventDocument | undefined) => batches.rewriteBuffered(transform),
    migrated: migrationPass,
    eraseSubject,

    /** Indexes and subscriptions; resolves when done. Failures reject (the caller logs them). */
    async start(): Promise<void> {
      await db.opened();
      if (redis) void reportRedisPersistence(redis.client, durability.mode, logger).then((report) => (redisPersistence = report));
      // Not awaited by start(): a large log migrates while the host serves; erasure runs a pass of its own.
      void logged(migration.migrateAtStart()).catch(() => undefined);
      await Promise.all([wal?.open(), writes.ensureIndexes(), integrity.start(), connected?.exports.repository.ensureIndexes(), connected?.notifications.repository.ensureIndexes(), connected?.ready]);
    },

    /** Drains the recorder (up to `timeoutMs`, then the rest moves to the spill store), then closes the services. */
    async close({ timeoutMs = 20_000 }: { timeoutMs?: number } = {}): Promise<void> {
      try {
        await integrity.close();
        await batches.close({ timeoutMs });
      } finally {
        await wal?.close().catch((error: unknown) => logger.error({ err: error }, 'audit write-ahead log did not close cleanly'));
        repository?.close();
        await connected?.close();
      }
    },
  };
}

/** Loud when Redis would lose queued exports (and, in memory mode, spilled events) on a restart. */
async function reportRedisPersistence(client: Redis, mode: string, logger: Logger): Promise<RedisPersistenceReport> {
  const report = await checkRedisPersistence(client).catch((): RedisPersistenceReport => ({ persistence: 'unknown', maxmemoryPolicy: 'unknown' }));
  const advice = 'set appendonly yes and maxmemory-policy noeviction (docs/OPERATIONS.md, "Redis")';
  if (report.persistence === 'none') {
    logger.error({ redisPersistence: report, durability: mode }, `Redis does not persist: a Redis restart loses queued exports${mode === 'memory' ? ' and spilled audit events' : ''}; ${advice}`);
  } else if (report.persistence === 'unknown') {
    logger.warn({ redisPersistence: report }, `Redis persistence unknown (CONFIG GET refused): make sure it is ${advice}`);
  } else if (report.persistence === 'snapshots' || report.maxmemoryPolicy !== 'noeviction') {
    logger.warn({ redisPersistence: report }, `Redis may lose recent writes on a restart or evict queue keys: ${advice}`);
  }
  return report;
}

/** The sealer's counters as `metrics()` shows them: events sealed, and the stored → sealed lag of the last batch and the worst. */
export type SealingCounters = { sealed: number; sealingLagMs: number; sealingMaxLagMs: number; checkpointsSigned: number };
function sealingCounters(counters: { sealed: number; lastLagMs: number; maxLagMs: number; checkpoints: number }): SealingCounters {
  return { sealed: counters.sealed, sealingLagMs: counters.lastLagMs, sealingMaxLagMs: counters.maxLagMs, checkpointsSigned: counters.checkpoints };
}

export type AuditServices = ReturnType<typeof createAuditServices>;
export type ConnectedServices = NonNullable<AuditServices['connected']>;
