import { z } from 'zod';
import { ZEventFilters, type TEventFiltersInput } from '../../../server/events/event-filters.schema';

/**
 * The filter form as it lives in the URL (`?q=…&user=…&action=…&status=…&from=2026-05-01&to=…&reads=shown`),
 * so a view can be bookmarked and shared. Pure: no DOM, unit-tested in test/unit.
 * Each value is checked by the server's own rule for it (ZEventFilters); a malformed one is
 * dropped rather than refused: a shared link should still open.
 */
const rule = ZEventFilters.shape;
/** A day, or an hour of it (`2026-05-01T14:00`) when the activity chart narrowed to hours. */
const ZDay = z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:00)?$/);
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

export const ZViewFilters = z.object({
  /** Blank (spaces only) is no search. */
  search: lenient(rule.search.unwrap().transform((text) => text || undefined)),
  actorId: lenient(rule.actorIds.unwrap().element),
  action: lenient(rule.actions.unwrap().element),
  status: lenient(rule.status.unwrap()),
  /** Days (or hours) in the viewer's time zone, inclusive. */
  from: lenient(ZDay),
  to: lenient(ZDay),
  /** The admin's own reads of the log are left out unless this is set. */
  showOwnReads: z.literal('shown').optional().catch(undefined),
});
export type TViewFilters = z.infer<typeof ZViewFilters>;

const URL_KEYS = { search: 'q', actorId: 'user', action: 'action', status: 'status', from: 'from', to: 'to', showOwnReads: 'reads' } as const satisfies Record<keyof TViewFilters, string>;
const FIELDS = Object.keys(URL_KEYS) as Array<keyof TViewFilters>;
/** What narrows the events (the "Filters (n)" count); showing one's own reads widens the view instead. */
const NARROWING: ReadonlyArray<keyof TViewFilters> = ['search', 'actorId', 'action', 'status', 'from', 'to'];

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

export const hasFilters = (filters: TViewFilters) => NARROWING.some((field) => Boolean(filters[field]));
export const filterCount = (filters: TViewFilters) => NARROWING.filter((field) => Boolean(filters[field])).length + (filters.from && filters.to ? -1 : 0);

/** The start of `day` (YYYY-MM-DD, or YYYY-MM-DDTHH:00) in the viewer's zone. */
function localStart(day: string): Date {
  const [year, month, date] = day.slice(0, 10).split('-').map(Number) as [number, number, number];
  return new Date(year, month - 1, date, day.length > 10 ? Number(day.slice(11, 13)) : 0);
}

/** The last millisecond of that day or hour: days are 23 or 25 hours long when the clocks change. */
function localEnd(day: string): Date {
  const start = localStart(day);
  const next = day.length > 10 ? new Date(start.getFullYear(), start.getMonth(), start.getDate(), start.getHours() + 1) : new Date(start.getFullYear(), start.getMonth(), start.getDate() + 1);
  return new Date(next.getTime() - 1);
}

/**
 * What events.list, events.live and exports.create take. Days become instants in the viewer's
 * time zone: `from` at 00:00, `to` at the last millisecond of that day (or hour). A range given
 * backwards is swapped rather than refused (YYYY-MM-DD compares as text). The admin's own reads are
 * left out unless `showOwnReads`.
 */
export function toEventFilters(filters: TViewFilters): TEventFiltersInput {
  const query: TEventFiltersInput = {};
  if (filters.search) query.search = filters.search;
  if (filters.actorId) query.actorIds = [filters.actorId];
  if (filters.action) query.actions = [filters.action];
  if (filters.status) query.status = filters.status;
  const [first, last] = filters.from && filters.to && filters.from > filters.to ? [filters.to, filters.from] : [filters.from, filters.to];
  if (first) query.from = localStart(first);
  if (last) query.to = localEnd(last);
  if (!filters.showOwnReads) query.hideOwnReads = true;
  return query;
}

/** The record whose whole history is open (`?history=<subject type>&record=<id>`), or null. */
export interface RecordRef {
  type: string;
  id: string;
}
const ZRecordRef = z.object({ type: rule.subjectType.unwrap(), id: rule.subjectId.unwrap() });

export function recordFromSearch(search: string): RecordRef | null {
  const params = new URLSearchParams(search);
  const parsed = ZRecordRef.safeParse({ type: params.get('history') ?? undefined, id: params.get('record') ?? undefined });
  return parsed.success ? parsed.data : null;
}

export const recordToSearch = (record: RecordRef) => `?${new URLSearchParams({ history: record.type, record: record.id }).toString()}`;
