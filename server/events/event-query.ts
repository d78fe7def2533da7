import type { TEventFilters } from './event-filters.schema';
import { EVENT_INDEXES } from './event.model';

/**
 * Pure: validated filters become a MongoDB filter and sort. Uses only what FerretDB v1 serves
 * too: equality, `$in`, `$gte`/`$lte`/`$lt`, `$or`/`$and` as query operators and `$regex` with `i`.
 */
export type EventMongoFilter = Record<string, unknown>;

/** Where a page ends: the (occurredAt, _id) of its last event. */
export interface EventPosition {
  occurredAt: Date;
  id: string;
}

export const EVENT_SORT = { occurredAt: -1, _id: -1 } as const;

export type EventIndexName = (typeof EVENT_INDEXES)[number]['name'];

/** User text as a literal: every regex metacharacter escaped, so it can only match itself. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Makes an ObjectId of the host's driver from its hex (server/db/host-database.ts). */
export type ObjectIdOf = (hex: string) => unknown;

/** The action of the log's own reads (server/events/read-recorder.ts). */
export const OWN_READ_ACTION = 'audit_log.viewed';

/**
 * `after` (a keyset position) needs `objectId`: the id must be of the driver the query goes through.
 * `viewerId` (the caller's actor id) is what `hideOwnReads` leaves out the reads of.
 */
export function buildEventFilter(tenantId: string, filters: TEventFilters, after?: EventPosition, objectId?: ObjectIdOf, viewerId?: string): EventMongoFilter {
  const filter: EventMongoFilter = { tenantId };
  const and: EventMongoFilter[] = [];

  if (filters.actorIds) filter['actor.id'] = oneOrAny(filters.actorIds);
  if (filters.actions) filter.action = oneOrAny(filters.actions);
  if (filters.subjectType !== undefined) filter['subject.type'] = filters.subjectType;
  if (filters.subjectId !== undefined) filter['subject.id'] = filters.subjectId;
  if (filters.status) filter.status = filters.status;
  if (filters.ip !== undefined) filter['context.ip'] = filters.ip;
  if (filters.sessionId !== undefined) filter['context.sessionId'] = filters.sessionId;

  const occurredAt: Record<string, Date> = {};
  if (filters.from) occurredAt.$gte = filters.from;
  if (filters.to) occurredAt.$lte = filters.to;
  if (Object.keys(occurredAt).length > 0) filter.occurredAt = occurredAt;

  if (filters.search) {
    const pattern = { $regex: escapeRegex(filters.search), $options: 'i' };
    // The search part (stored-form/): the rendered description and subject name, kept by erasure.
    and.push({ $or: [{ 'search.description': pattern }, { 'search.subjectName': pattern }] });
  }
  if (filters.hideOwnReads) {
    if (viewerId === undefined) throw new Error('buildEventFilter: hideOwnReads needs the viewer\'s actor id');
    // $ne in an $or rather than $nor: the subset FerretDB v1 and MongoDB both plan the same way.
    and.push({ $or: [{ action: { $ne: OWN_READ_ACTION } }, { 'actor.id': { $ne: viewerId } }] });
  }
  if (after) {
    if (!objectId) throw new Error('buildEventFilter: a keyset position needs the driver\'s ObjectId');
    and.push(olderThan(after, objectId));
  }
  if (and.length > 0) filter.$and = and;
  return filter;
}

/** Keyset condition: strictly after `position` in (occurredAt desc, _id desc) order. */
export function olderThan(position: EventPosition, objectId: ObjectIdOf): EventMongoFilter {
  const id = objectId(position.id);
  return { $or: [{ occurredAt: { $lt: position.occurredAt } }, { occurredAt: position.occurredAt, _id: { $lt: id } }] };
}

function oneOrAny(values: string[]): unknown {
  return values.length === 1 ? values[0] : { $in: [...new Set(values)] };
}

/**
 * The declared index whose equality prefix the filter uses, most selective first. A unit test
 * proves every shape buildEventFilter produces is served by the index named here, sort included:
 * a subject type alone is not (subject.id sits between it and the sort keys), so it filters a
 * tenant_time scan instead.
 */
export function indexFor(filters: TEventFilters): EventIndexName {
  if (filters.subjectType !== undefined && filters.subjectId !== undefined) return 'tenant_subject_time';
  if (filters.actorIds) return 'tenant_actor_time';
  if (filters.actions) return 'tenant_action_time';
  return 'tenant_time';
}
