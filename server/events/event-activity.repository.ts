import type { HostDatabase } from '../db/host-database';
import type { TEventFilters } from './event-filters.schema';
import { buildEventFilter, indexFor } from './event-query';
import type { EventDocument } from './event.document';
import { AUDIT_EVENTS_COLLECTION } from './event.model';

export interface HourCount {
  /** Whole hours since the epoch (EventDocument.hour); null for events stored before the field existed. */
  hour: number | null;
  count: number;
}

/**
 * The activity chart's reads. One `$group` on the stored `hour` (FerretDB v1 implements `$group`
 * with `$sum` but none of the date expressions), matched like every list query, so on MongoDB the
 * `$match` is hinted to the index a list of those filters uses (tenant_time for a date range alone,
 * each document fetched to read its hour). Tenant first, in the query itself.
 */
export function createEventActivityRepository(db: HostDatabase) {
  const collection = () => db.collection<EventDocument>(AUDIT_EVENTS_COLLECTION);

  return {
    /** When the oldest event matching the filters happened: the chart's start when no "from" is given. */
    async oldestOccurredAt(tenantId: string, filters: TEventFilters, viewerId: string): Promise<Date | null> {
      const [oldest] = await (await collection())
        .find(buildEventFilter(tenantId, filters, undefined, undefined, viewerId), {
          sort: { occurredAt: 1, _id: 1 },
          hint: indexFor(filters),
          limit: 1,
          projection: { occurredAt: 1 },
        })
        .toArray();
      return oldest?.occurredAt ?? null;
    },

    async countByHour(tenantId: string, filters: TEventFilters, viewerId: string): Promise<HourCount[]> {
      const rows = await (await collection())
        .aggregate<{ _id: number | null; count: number }>([
          { $match: buildEventFilter(tenantId, filters, undefined, undefined, viewerId) },
          { $group: { _id: '$hour', count: { $sum: 1 } } },
        ], { hint: indexFor(filters) })
        .toArray();
      return rows.map((row) => ({ hour: typeof row._id === 'number' ? row._id : null, count: row.count }));
    },
  };
}

export type EventActivityRepository = ReturnType<typeof createEventActivityRepository>;
