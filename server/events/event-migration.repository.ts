import type { Collection, Filter } from 'mongodb';
import type { HostDatabase } from '../db/host-database';
import { fromEventDocument, isLegacyDocument, type EventDocument, type LegacyEventDocument } from './event.document';
import { AUDIT_EVENTS_COLLECTION } from './event.model';
import type { TAuditEvent } from './event.schema';
import { STORED_FORM_VERSION } from './stored-form/stored-event.schema';

export interface MigrationProgress {
  migrated: number;
  /** Events that could not be converted (logged by id); left in form v1, still readable. */
  failed: string[];
  /** Events another process converted first (a concurrent migration): not converted twice. */
  skipped: number;
}

/**
 * Converts events stored in form v1 (personal values in place) to the stored form v2, in batches.
 * Resumable and idempotent: it pages through the events still not v2 by `_id` (keyset, so each
 * batch reads on from the last, never again from the start) and replaces each one by its own v2
 * form; a migration stopped at any point or run twice converts what is left. Ids, times and every
 * fact stay; the erasure markers an earlier erasure wrote ("[erased]") are kept as text. Across all
 * tenants: it is an operation on the store, not a tenant's read.
 *
 * Each replace is filtered by `_id` alone: FerretDB v1 (SQLite) pushes only an `_id`-only filter
 * down, and `{ _id, v: { $ne: 2 } }` scanned the whole collection per event (154 s for 625 events,
 * quadratic). So two migrations at once may both convert an event; the later write wins, and both
 * are the same event in form v2 (`skipped` then stays 0). Within a process, a pass asked for while
 * one runs joins it.
 *
 * A pass that converted everything it found writes a marker (`audit_migrations`, one document per
 * events collection); `migrateAtStart` reads that one document instead of scanning: the scan for
 * `v: { $ne: 2 }` reads the whole collection on FerretDB v1 and on MongoDB (no index on `v`), at
 * every start. Rolling deploys: a process of a version before v2 still running can write v1 events
 * after the marker. They stay readable (fromEventDocument reads both forms); every erasure and
 * `crm-audit-log migrate` run a full pass whatever the marker says, so an erasure converts them
 * before it erases, and `crm-audit-log migrate` once the last old process is gone converts the rest.
 */
export function createEventMigration(db: HostDatabase, encode: (event: TAuditEvent) => EventDocument) {
  const collection = () => db.collection<EventDocument | LegacyEventDocument>(AUDIT_EVENTS_COLLECTION);
  const markers = () => db.collection<MigrationMarker>(MIGRATIONS_COLLECTION);
  const legacy = { v: { $ne: STORED_FORM_VERSION } } as Filter<EventDocument | LegacyEventDocument>;
  let inFlight: Promise<MigrationProgress> | undefined;

  async function pass(options: MigrateOptions): Promise<MigrationProgress> {
    const progress = await convertLegacyEvents(await collection(), legacy, encode, options);
    if (progress.failed.length === 0) {
      await (await markers()).updateOne({ _id: MARKER_ID }, { $set: { finishedAt: new Date(), migrated: progress.migrated } }, { upsert: true });
    }
    return progress;
  }

  const migration = {
    async pending(): Promise<number> {
      return (await collection()).countDocuments(legacy);
    },

    /** A full pass over the events still not v2, marker or not (joins a pass in flight). */
    migrate(options: MigrateOptions = {}): Promise<MigrationProgress> {
      inFlight ??= pass(options).finally(() => (inFlight = undefined));
      return inFlight;
    },

    /** What a start runs: nothing when a pass has already found every event v2 (the marker), else a full pass. */
    async migrateAtStart(): Promise<MigrationProgress> {
      if (await (await markers()).findOne({ _id: MARKER_ID })) return { migrated: 0, skipped: 0, failed: [] };
      return migration.migrate();
    },
  };
  return migration;
}

type MigrateOptions = { batchSize?: number; onBatch?: (progress: MigrationProgress) => void };

/** The collection of migration markers: one document per finished migration of a collection. */
export const MIGRATIONS_COLLECTION = 'audit_migrations';
const MARKER_ID = `${AUDIT_EVENTS_COLLECTION}:stored-form-v${STORED_FORM_VERSION}`;
interface MigrationMarker {
  _id: string;
  finishedAt: Date;
  migrated: number;
}

async function convertLegacyEvents(
  events: Collection<EventDocument | LegacyEventDocument>,
  legacy: Filter<EventDocument | LegacyEventDocument>,
  encode: (event: TAuditEvent) => EventDocument,
  options: MigrateOptions,
): Promise<MigrationProgress> {
  const batchSize = options.batchSize ?? MIGRATION_BATCH_SIZE;
  const progress: MigrationProgress = { migrated: 0, skipped: 0, failed: [] };
  let after: LegacyEventDocument['_id'] | undefined;
  for (;;) {
    const filter = (after === undefined ? legacy : { ...legacy, _id: { $gt: after } }) as Filter<EventDocument | LegacyEventDocument>;
    const batch = await events.find(filter, { limit: batchSize, sort: { _id: 1 } }).toArray();
    if (batch.length === 0) return progress;
    after = batch.at(-1)!._id;
    for (const document of batch) {
      if (!isLegacyDocument(document)) continue;
      let converted: EventDocument;
      try {
        converted = encode(fromEventDocument(document));
      } catch {
        progress.failed.push(document._id.toHexString());
        continue;
      }
      // One replace per event: a bulkWrite of 100 replaces did not return within minutes on FerretDB v1.
      const result = await events.replaceOne({ _id: document._id } as Filter<EventDocument | LegacyEventDocument>, converted);
      if (result.matchedCount === 1) progress.migrated++;
      else progress.skipped++;
    }
    options.onBatch?.({ ...progress, failed: [...progress.failed] });
  }
}

/** Events read per `find` (keyset page by `_id`). */
export const MIGRATION_BATCH_SIZE = 500;

export type EventMigration = ReturnType<typeof createEventMigration>;
