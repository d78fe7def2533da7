import type { HostDatabase } from '../db/host-database';
import { READ_LIMIT_DEFAULTS } from '../read-limits';
import { fromEventDocument, type EventDocument } from './event.document';
import { AUDIT_EVENTS_COLLECTION } from './event.model';
import type { TAuditEvent } from './event.schema';

export interface LiveReplayRead {
  /** Events received at or after this moment are returned. */
  since: Date;
  /** At most this many are read; `more` says whether others follow. */
  limit: number;
  signal?: AbortSignal;
}

/**
 * What a live view missed: the tenant's events received since a moment, in receipt order (then id).
 * Ids are ObjectIds made when an event is accepted, so their time prefix bounds the read by the `_id`
 * index, which every MongoDB-protocol server has (FerretDB v1 included); `receivedAt` is the same
 * instant to the millisecond and decides. One read serves every view of the tenant: the caller
 * filters in memory (`eventMatchesFilters`). Any failure (MongoDB down, maxTimeMS) makes the view
 * tell its client to reload instead.
 */
export function createLiveReplayRepository(db: HostDatabase, options: { maxTimeMS?: number } = {}) {
  const maxTimeMS = options.maxTimeMS ?? READ_LIMIT_DEFAULTS.maxTimeMS;
  return {
    async receivedSince(tenantId: string, read: LiveReplayRead): Promise<{ events: TAuditEvent[]; more: boolean }> {
      const fromId = db.driver.ObjectId.createFromTime(Math.floor(read.since.getTime() / 1000));
      const events = await db.collection<EventDocument>(AUDIT_EVENTS_COLLECTION);
      const documents = await events
        // receivedAt too: the events of `since`'s second that came before it must not count towards `more`.
        .find({ tenantId, _id: { $gte: fromId }, receivedAt: { $gte: read.since } }, { maxTimeMS, signal: read.signal })
        .sort({ _id: 1 })
        .limit(read.limit + 1)
        .toArray();
      const more = documents.length > read.limit;
      const received = documents
        .slice(0, read.limit)
        .map(fromEventDocument)
        .filter((event) => event.receivedAt >= read.since)
        .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return { events: received, more };
    },
  };
}

export type LiveReplayRepository = ReturnType<typeof createLiveReplayRepository>;
