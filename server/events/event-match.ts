import type { TEventFilters } from './event-filters.schema';
import { escapeRegex, OWN_READ_ACTION } from './event-query';
import type { TAuditEvent } from './event.schema';

/**
 * Pure: whether one event satisfies `events.list` filters, for live delivery where there is no
 * query to run. Mirrors `buildEventFilter` (event-query.ts) rule for rule: lists are any-of, the
 * date range is inclusive, and the search text is the same escaped pattern, case-insensitive,
 * against the description or the subject's name. The tenant is not checked here: live topics are
 * per tenant. `viewerId` is the watching caller's actor id, for `hideOwnReads`.
 */
export function eventMatchesFilters(event: TAuditEvent, filters: TEventFilters, viewerId?: string): boolean {
  if (filters.hideOwnReads && event.action === OWN_READ_ACTION && event.actor.id === viewerId) return false;
  if (filters.actorIds && !filters.actorIds.includes(event.actor.id)) return false;
  if (filters.actions && !filters.actions.includes(event.action)) return false;
  if (filters.subjectType !== undefined && event.subject?.type !== filters.subjectType) return false;
  if (filters.subjectId !== undefined && event.subject?.id !== filters.subjectId) return false;
  if (filters.status && event.status !== filters.status) return false;
  if (filters.ip !== undefined && event.context.ip !== filters.ip) return false;
  if (filters.sessionId !== undefined && event.context.sessionId !== filters.sessionId) return false;
  const time = event.occurredAt.getTime();
  if (filters.from && time < filters.from.getTime()) return false;
  if (filters.to && time > filters.to.getTime()) return false;
  if (filters.search) {
    const pattern = new RegExp(escapeRegex(filters.search), 'i');
    if (!pattern.test(event.description) && !pattern.test(event.subject?.name ?? '')) return false;
  }
  return true;
}
