import type { TReadCost } from './tenant-read-limiter';

/** Procedures that group or count a tenant's events: a scan whatever the filters. */
const HEAVY_PROCEDURES = ['events.facets', 'events.activity'];

/**
 * Pure: whether a read is heavy for admission (the limiter's heavy caps). A text search reads every
 * event of the tenant the other filters leave (a pattern, no index serves it); facets and activity
 * group them. A page without text, an event by id or a record's history are light: on MongoDB each
 * is an index range. Decided on the raw input, before validation: a wrong guess costs a slot, no more.
 */
export function readCostOf(path: string, rawInput: unknown): TReadCost {
  if (HEAVY_PROCEDURES.some((procedure) => path === procedure || path.endsWith(`.${procedure}`))) return 'heavy';
  const search = (rawInput as { search?: unknown } | null | undefined)?.search;
  return typeof search === 'string' && search.trim() !== '' ? 'heavy' : 'light';
}
