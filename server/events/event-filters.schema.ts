import { z } from 'zod';
import { EVENT_LIMITS, ZActionName, ZEventStatus } from './event.schema';
import { ZObjectIdHex } from '../common/object-id';

/**
 * What `events.list` and `events.facets` accept. Every object is `.strict()`, and every leaf is a
 * bounded scalar, so a `$`-operator object can never reach a query: it fails validation here.
 */
export const FILTER_LIMITS = {
  searchLength: 200,
  listItems: 50,
  pageSizeMax: 200,
  pageSizeDefault: 50,
  cursorLength: 512,
} as const;

/** MongoDB-protocol servers such as FerretDB refuse NUL in strings: refuse it here, not with a 500 there. */
const ZFilterText = (max: number, min = 0) =>
  z
    .string({ message: 'must be a string' })
    .trim()
    .min(min, { message: 'must not be empty' })
    .max(max, { message: `must be at most ${max} characters` })
    .refine((text) => !text.includes('\u0000'), { message: 'must not contain NUL characters' });

const ZFilterId = (max: number = EVENT_LIMITS.idLength) => ZFilterText(max, 1);

/** A Date (superjson) or an ISO 8601 timestamp with a zone (plain JSON clients). */
const ZFilterDate = z.union(
  [
    z.date({ message: 'must be a valid date' }),
    z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as 2026-01-31T12:00:00Z' }).transform((text) => new Date(text)),
  ],
  { message: 'must be a date or an ISO 8601 date-time' },
);

const listOf = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item).min(1, { message: `give at least one ${what} or leave the filter out` }).max(FILTER_LIMITS.listItems, {
    message: `at most ${FILTER_LIMITS.listItems} ${what}s`,
  });

export const ZEventFilters = z
  .object({
    /** Case-insensitive substring of the description or the subject's name; never a pattern. */
    search: ZFilterText(FILTER_LIMITS.searchLength).optional(),
    from: ZFilterDate.optional(),
    to: ZFilterDate.optional(),
    actorIds: listOf(ZFilterId(), 'actor id').optional(),
    actions: listOf(ZActionName, 'action').optional(),
    subjectType: ZFilterId(64).optional(),
    subjectId: ZFilterId().optional(),
    status: ZEventStatus.optional(),
    ip: ZFilterId(64).optional(),
    sessionId: ZFilterId(200).optional(),
    /** Leaves out the caller's own reads of the log ("Searched the audit log"); they are still recorded. */
    hideOwnReads: z.boolean({ message: 'must be true or false' }).optional(),
  })
  .strict();

export function checkFilterCombination(filters: z.output<typeof ZEventFilters>, context: z.core.$RefinementCtx): void {
  if (filters.from && filters.to && filters.from.getTime() > filters.to.getTime()) {
    context.addIssue({ code: 'custom', path: ['from'], message: '"from" must not be after "to"' });
  }
  if (filters.subjectId !== undefined && filters.subjectType === undefined) {
    context.addIssue({ code: 'custom', path: ['subjectType'], message: 'required when subjectId is given' });
  }
}

export const ZEventFiltersInput = ZEventFilters.superRefine(checkFilterCombination);

export const ZListEventsInput = ZEventFilters.extend({
  limit: z
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number' })
    .min(1, { message: 'must be at least 1' })
    .max(FILTER_LIMITS.pageSizeMax, { message: `must be at most ${FILTER_LIMITS.pageSizeMax}` })
    .default(FILTER_LIMITS.pageSizeDefault),
  /** Opaque: the `nextCursor` of the previous page, for the same filters. */
  cursor: z.string().max(FILTER_LIMITS.cursorLength, { message: 'is not a valid cursor' }).nullish(),
})
  .strict()
  .superRefine(checkFilterCombination);

export const ZEventByIdInput = z.object({ id: ZObjectIdHex('an event id') }).strict();

/** `events.history`: every event about one record, newest first, paged like `events.list`. */
export const ZRecordHistoryInput = z
  .object({
    subjectType: ZFilterId(64),
    subjectId: ZFilterId(),
    limit: ZListEventsInput.shape.limit,
    cursor: ZListEventsInput.shape.cursor,
  })
  .strict();

/** `events.activity`: the same filters as the list it charts. */
export const ZActivityInput = ZEventFiltersInput.optional();

export type TEventFilters = z.output<typeof ZEventFilters>;
export type TEventFiltersInput = z.input<typeof ZEventFilters>;
export type TListEventsInput = z.output<typeof ZListEventsInput>;
export type TListEventsRequest = z.input<typeof ZListEventsInput>;
export type TEventByIdInput = z.output<typeof ZEventByIdInput>;
export type TRecordHistoryInput = z.output<typeof ZRecordHistoryInput>;

/** The filters alone: what a cursor is bound to and what view throttling keys on. */
export function filtersOf(input: TListEventsInput): TEventFilters {
  const { limit: _limit, cursor: _cursor, ...filters } = input;
  return filters;
}
