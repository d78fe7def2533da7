import { z } from 'zod';
import { ZEventFilters, type TEventFiltersInput } from '../../../server/events/event-filters.schema';

/**
 * The filter form as it lives in the URL (`?q=…&user=…&action=…&status=…&from=2026-05-01&to=…`),
 * so a view can be bookmarked and shared. Pure: no DOM, unit-tested in test/unit.
 * Each value is checked by the server's own rule for it (ZEventFilters); a malformed one is
 * dropped rather than refused: a shared link should still open.
 */
const rule = ZEventFilters.shape;
const ZDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

export const ZViewFilters = z.object({
  /** Blank (spaces only) is no search. */
  search: lenient(rule.search.unwrap().transform((text) => text || undefined)),
  actorId: lenient(rule.actorIds.unwrap().element),
  action: lenient(rule.actions.unwrap().element),
  status: lenient(rule.status.unwrap()),
  /** Days in the viewer's time zone, inclusive. */
  from: lenient(ZDay),
  to: lenient(ZDay),
});
export type TViewFilters = z.infer<typeof ZViewFilters>;

const URL_KEYS = { search: 'q', actorId: 'user', action: 'action', status: 'status', from: 'from', to: 'to' } as const satisfies Record<keyof TViewFilters, string>;
const FIELDS = Object.keys(URL_KEYS) as Array<keyof TViewFilters>;

export function viewFiltersFromSearch(search: string): TViewFilters {
  const params = new URLSearchParams(search);
  const raw = Object.fromEntries(FIELDS.map((field) => [field, params.get(URL_KEYS[field]) ?? undefined]));
  return ZViewFilters.parse(raw);
}

/** `?q=…` without empty values, in a stable order; '' when no filter is set. */
export function viewFiltersToSearch(filters: TViewFilters): string {
  const params = new URLSearchParams();
  for (const field of FIELDS) {
    const value = filters[field];
    if (value) params.set(URL_KEYS[field], value);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export const hasFilters = (filters: TViewFilters) => FIELDS.some((field) => Boolean(filters[field]));

/** Midnight at the start of `day` (YYYY-MM-DD) in the viewer's zone, or `days` later. */
function localMidnight(day: string, days = 0): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(year, month - 1, date + days);
}

/** The last millisecond of `day`: days are 23 or 25 hours long when the clocks change. */
const endOfDay = (day: string) => new Date(localMidnight(day, 1).getTime() - 1);

/**
 * What events.list, events.live and exports.create take. Days become instants in the viewer's
 * time zone: `from` at 00:00, `to` at the last millisecond of that day. A range given backwards is
 * swapped rather than refused (YYYY-MM-DD compares as text).
 */
export function toEventFilters(filters: TViewFilters): TEventFiltersInput {
  const query: TEventFiltersInput = {};
  if (filters.search) query.search = filters.search;
  if (filters.actorId) query.actorIds = [filters.actorId];
  if (filters.action) query.actions = [filters.action];
  if (filters.status) query.status = filters.status;
  const [first, last] = filters.from && filters.to && filters.from > filters.to ? [filters.to, filters.from] : [filters.from, filters.to];
  if (first) query.from = localMidnight(first);
  if (last) query.to = endOfDay(last);
  return query;
}
