import type { FindCursor } from 'mongodb';
import { isObjectIdHex } from '../common/object-id';
import { isMaxTimeExpired } from '../db/driver-errors';
import { AuditLogError } from '../errors';
import { READ_LIMIT_DEFAULTS } from '../read-limits';
import type { HostDatabase } from '../db/host-database';
import type { TEventFilters } from './event-filters.schema';
import { buildEventFilter, EVENT_SORT, indexFor, type EventPosition } from './event-query';
import { fromEventDocument, type EventDocument } from './event.document';
import { AUDIT_EVENTS_COLLECTION } from './event.model';
import { OpenPageStreams, type OpenPageStreamsOptions } from './open-page-streams';
import type { TAuditEvent } from './event.schema';
import { actorKindOf, type TActorKind } from './actor-kind';

export interface EventPage {
  events: TAuditEvent[];
  /** Set when more events follow: the position of the last one returned. */
  next: EventPosition | null;
}

export interface PageRequest {
  /** The request's: aborting it (the client went away) stops the database work. */
  signal?: AbortSignal;
  after?: EventPosition;
  limit: number;
  resumeToken?: string;
  tokenFor?: (next: EventPosition) => string;
  /** The caller's actor id, for `hideOwnReads`. */
  viewerId?: string;
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface ActorFacetCount extends FacetCount {
  name?: string;
  kind: TActorKind;
}

/** The actor facet: people, API keys and the system; attempted identities of failed sign-ins apart. */
export interface ActorFacets {
  actors: ActorFacetCount[];
  attempted: { identities: number; events: number };
}

/** How many actor groups are read to fill `max` non-attempted ones even when many sign-ins were attempted. */
const ACTOR_GROUPS_READ = 1_000;

export interface EventRepositoryOptions {
  streams?: OpenPageStreamsOptions;
  /** Server-side time limit of every read (default READ_LIMIT_DEFAULTS.maxTimeMS: FerretDB v1 honours it too); past it the read fails as READ_TIMED_OUT. */
  maxTimeMS?: number;
}

type ReadOptions = { signal?: AbortSignal };

/**
 * The read side of the events slice. Every method takes the tenant first and puts it in the
 * query itself, so no caller can read across tenants by forgetting a filter.
 */
export function createEventRepository(db: HostDatabase, options: EventRepositoryOptions = {}) {
  const collection = () => db.collection<EventDocument>(AUDIT_EVENTS_COLLECTION);
  const objectId = (hex: string) => db.objectId(hex);
  const maxTimeMS = options.maxTimeMS ?? READ_LIMIT_DEFAULTS.maxTimeMS;

  const streams = new OpenPageStreams(options.streams);

  async function readPage(tenantId: string, cursor: FindCursor<EventDocument>, buffer: EventDocument[], page: PageRequest): Promise<EventPage> {
    // A resumed stream was opened by an earlier request: this one's signal closes it if its client goes.
    const closeOnAbort = () => void cursor.close().catch(() => undefined);
    page.signal?.addEventListener('abort', closeOnAbort, { once: true });
    try {
      while (buffer.length <= page.limit) {
        page.signal?.throwIfAborted();
        const document = await cursor.next();
        if (!document) break;
        buffer.push(document);
      }
    } finally {
      page.signal?.removeEventListener('abort', closeOnAbort);
    }
    const events = buffer.slice(0, page.limit).map(fromEventDocument);
    const last = events.at(-1);
    const peeked = buffer[page.limit];
    if (!peeked || !last) {
      await cursor.close().catch(() => undefined);
      return { events, next: null };
    }
    const next = { occurredAt: last.occurredAt, id: last.id };
    if (page.tokenFor) streams.keep(`${tenantId}\u0000${page.tokenFor(next)}`, cursor, peeked);
    else await cursor.close().catch(() => undefined);
    return { events, next };
  }

  const repository = {
    /**
     * One page, newest first, strictly after `after`. `resumeToken` (the cursor the caller sent)
     * may continue an open stream of the same search; `tokenFor` names the stream kept for the
     * next page. Without a stream the keyset query gives the same events.
     */
    async findPage(tenantId: string, filters: TEventFilters, page: PageRequest): Promise<EventPage> {
      const resumed = page.resumeToken ? streams.take(`${tenantId}\u0000${page.resumeToken}`) : undefined;
      if (resumed) {
        try {
          return await readPage(tenantId, resumed.cursor, [resumed.peeked], page);
        } catch (error) {
          if (page.signal?.aborted) throw error;
          // The server dropped the cursor (timeout, restart): the keyset query below is equivalent.
        }
      }
      const cursor = (await collection()).find(buildEventFilter(tenantId, filters, page.after, objectId, page.viewerId), {
        sort: EVENT_SORT,
        hint: indexFor(filters),
        batchSize: page.limit + 1,
        maxTimeMS,
        signal: page.signal,
      });
      return readPage(tenantId, cursor, [], page).catch(asReadError);
    },

    /**
     * The snapshot an export reads: the filters' events received up to `receivedUpTo` (and not after
     * it in business time either), newest first, streamed. `signal` aborts the server's work at once,
     * even a sort it has not finished.
     */
    async snapshot(tenantId: string, filters: TEventFilters, receivedUpTo: Date, options: { signal: AbortSignal; batchSize: number; viewerId?: string }) {
      const filter = snapshotFilter(tenantId, filters, receivedUpTo, options.viewerId);
      const events = await collection();
      return {
        cursor: events.find(filter, { signal: options.signal }).sort(EVENT_SORT).batchSize(options.batchSize),
        count: (signal: AbortSignal) => events.countDocuments(filter, { signal }),
      };
    },

    /** Closes the open page streams (on shutdown). */
    close(): void {
      streams.closeAll();
    },

    async findById(tenantId: string, id: string, read: ReadOptions = {}): Promise<TAuditEvent | null> {
      if (!isObjectIdHex(id)) return null;
      const document = await (await collection()).findOne({ tenantId, _id: objectId(id) }, { maxTimeMS, signal: read.signal }).catch(asReadError);
      return document ? fromEventDocument(document) : null;
    },

    async countByAction(tenantId: string, filters: TEventFilters, max: number, read: ReadOptions & { viewerId?: string } = {}): Promise<FacetCount[]> {
      const rows = await (await collection())
        .aggregate<{ _id: string; count: number }>([
          { $match: buildEventFilter(tenantId, filters, undefined, undefined, read.viewerId) },
          { $group: { _id: '$action', count: { $sum: 1 } } },
          { $sort: { count: -1, _id: 1 } },
          { $limit: max },
        ], { maxTimeMS, signal: read.signal })
        .toArray()
        .catch(asReadError);
      return rows.map((row) => ({ value: row._id, count: row.count }));
    },

    /** Grouped by actor id and type, so each actor's kind comes from what is stored, not from its id. */
    async countByActor(tenantId: string, filters: TEventFilters, max: number, read: ReadOptions & { viewerId?: string } = {}): Promise<ActorFacets> {
      const match = buildEventFilter(tenantId, filters, undefined, undefined, read.viewerId);
      const rows = await (await collection())
        .aggregate<{ _id: { id: string; type?: string | null }; count: number }>([
          { $match: match },
          { $group: { _id: { id: '$actor.id', type: '$actor.type' }, count: { $sum: 1 } } },
          { $sort: { count: -1 } },
          { $limit: ACTOR_GROUPS_READ },
        ], { maxTimeMS, signal: read.signal })
        .toArray()
        .catch(asReadError);
      const attempted = { identities: 0, events: 0 };
      const counts = new Map<string, { count: number; kind: TActorKind }>();
      for (const { _id, count } of rows) {
        const kind = actorKindOf(_id.type, _id.id);
        if (kind === 'attempted') {
          attempted.identities++;
          attempted.events += count;
          continue;
        }
        const known = counts.get(_id.id);
        counts.set(_id.id, { count: (known?.count ?? 0) + count, kind: known?.kind ?? kind });
      }
      const top = [...counts.entries()].sort(([a, x], [b, y]) => y.count - x.count || a.localeCompare(b)).slice(0, max);
      const names = await actorNames(tenantId, top.map(([id]) => id), match, read);
      const actors = top.map(([value, { count, kind }]): ActorFacetCount => {
        const name = names.get(value);
        return name ? { value, count, name, kind } : { value, count, kind };
      });
      return { actors, attempted };
    },
  };
  return repository;

  /**
   * Display names for the facet's actors: the name each one appears under most often. A second
   * grouping rather than `$first`, which FerretDB v1 does not implement.
   */
  async function actorNames(tenantId: string, actorIds: string[], match: Record<string, unknown>, read: ReadOptions): Promise<Map<string, string>> {
    if (actorIds.length === 0) return new Map();
    const rows = await (await collection())
      .aggregate<{ _id: { id: string; name?: string | null }; count: number }>(
        [
          { $match: { ...match, tenantId, 'actor.id': { $in: actorIds } } },
          { $group: { _id: { id: '$actor.id', name: '$search.actorName' }, count: { $sum: 1 } } },
          { $sort: { count: -1 } },
        ],
        { maxTimeMS, signal: read.signal },
      )
      .toArray()
      .catch(asReadError);
    const names = new Map<string, string>();
    for (const row of rows) if (row._id.name && !names.has(row._id.id)) names.set(row._id.id, row._id.name);
    return names;
  }
}

/** The server's time limit as the audit log's error (READ_TIMED_OUT → TIMEOUT); anything else as it is. */
function asReadError(error: unknown): never {
  if (isMaxTimeExpired(error)) throw new AuditLogError('READ_TIMED_OUT', 'The search took too long and was stopped: narrow it (a date range, an actor or an action)', { cause: error });
  throw error;
}

function snapshotFilter(tenantId: string, filters: TEventFilters, receivedUpTo: Date, viewerId?: string) {
  const to = filters.to && filters.to < receivedUpTo ? filters.to : receivedUpTo;
  return { ...buildEventFilter(tenantId, { ...filters, to }, undefined, undefined, viewerId), receivedAt: { $lte: receivedUpTo } };
}

export type EventRepository = ReturnType<typeof createEventRepository>;
