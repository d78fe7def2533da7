import type { Filter } from 'mongodb';
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
 * Resumable and idempotent: each event is replaced by its own v2 form only while it is still v1
 * (`v ≠ 2` in the filter), so a migration stopped at any point, run twice or in two processes at
 * once converts every event exactly once. Ids, times and every fact stay; the erasure markers an
 * earlier erasure wrote ("[erased]") are kept as text. Across all tenants: it is an operation on the
 * store, not a tenant's read.
 */
export function createEventMigration(db: HostDatabase, encode: (event: TAuditEvent) => EventDocument) {
  const collection = () => db.collection<EventDocument | LegacyEventDocument>(AUDIT_EVENTS_COLLECTION);
  const legacy = { v: { $ne: STORED_FORM_VERSION } } as Filter<EventDocument | LegacyEventDocument>;

  return {
    async pending(): Promise<number> {
      return (await collection()).countDocuments(legacy);
    },

    async migrate(options: { batchSize?: number; onBatch?: (progress: MigrationProgress) => void } = {}): Promise<MigrationProgress> {
      const batchSize = options.batchSize ?? 500;
      const events = await collection();
      const progress: MigrationProgress = { migrated: 0, skipped: 0, failed: [] };
      const failedIds: unknown[] = [];
      for (;;) {
        const filter = (failedIds.length > 0 ? { ...legacy, _id: { $nin: failedIds } } : legacy) as Filter<EventDocument | LegacyEventDocument>;
        const batch = await events.find(filter, { limit: batchSize, sort: { _id: 1 } }).toArray();
        if (batch.length === 0) return progress;
        for (const document of batch) {
          if (!isLegacyDocument(document)) continue;
          let converted: EventDocument;
          try {
            converted = encode(fromEventDocument(document));
          } catch {
            failedIds.push(document._id);
            progress.failed.push(document._id.toHexString());
            continue;
          }
          const result = await events.replaceOne({ ...legacy, _id: document._id } as Filter<EventDocument | LegacyEventDocument>, converted);
          if (result.modifiedCount === 1) progress.migrated++;
          else progress.skipped++;
        }
        options.onBatch?.({ ...progress, failed: [...progress.failed] });
      }
    },
  };
}

export type EventMigration = ReturnType<typeof createEventMigration>;
