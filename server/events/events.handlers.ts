import type { TAuditCaller } from '../access';
import { AuditLogError } from '../errors';
import type { CursorCodec } from './event-cursor';
import type { EventPosition } from './event-query';
import { filtersOf, type TEventByIdInput, type TEventFilters, type TListEventsInput, type TRecordHistoryInput } from './event-filters.schema';
import type { EventRepository } from './event.repository';
import type { TAuditEvent } from './event.schema';
import type { ReadRecorder } from './read-recorder';

/** How many distinct values each facet lists (filter menus, not reports). */
export const FACET_LIMIT = 100;

export interface EventsDeps {
  events: EventRepository;
  cursors: CursorCodec;
  reads: ReadRecorder | null;
}

interface CallOptions<TInput> {
  ctx: { caller: TAuditCaller; requestId: string };
  input: TInput;
  /** Aborts when the client goes away: the database work stops with it. */
  signal?: AbortSignal;
}

export type ListEventsOptions = CallOptions<TListEventsInput>;

export interface EventListPage {
  items: TAuditEvent[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** Newest first, keyset-paged on (occurredAt, id): a page never shifts when newer events arrive. */
export async function listEventsHandler(deps: EventsDeps, { ctx, input, signal }: ListEventsOptions): Promise<EventListPage> {
  const filters = filtersOf(input);
  const binding = { tenantId: ctx.caller.tenantId, filters };
  const after = input.cursor ? deps.cursors.decode(input.cursor, binding) : undefined;
  const tokenFor = (next: EventPosition) => deps.cursors.encode(next, binding);
  const page = await deps.events.findPage(ctx.caller.tenantId, filters, { signal, after, limit: input.limit, resumeToken: input.cursor ?? undefined, tokenFor, viewerId: ctx.caller.actorId });
  deps.reads?.searched(ctx.caller, filters, ctx.requestId);
  return { items: page.events, nextCursor: page.next ? tokenFor(page.next) : null };
}

/**
 * The whole history of one record: every event whose subject it is, newest first, changes
 * included. The list of that subject, so it pages, is recorded as a read and uses its index.
 */
export function recordHistoryHandler(deps: EventsDeps, { ctx, input }: CallOptions<TRecordHistoryInput>): Promise<EventListPage> {
  return listEventsHandler(deps, { ctx, input });
}

/** One event of the caller's tenant; another tenant's id is as unknown as a made-up one. */
export async function eventByIdHandler(deps: EventsDeps, { ctx, input, signal }: CallOptions<TEventByIdInput>): Promise<TAuditEvent> {
  const event = await deps.events.findById(ctx.caller.tenantId, input.id, { signal });
  if (!event) throw new AuditLogError('NOT_FOUND', 'No such event');
  deps.reads?.opened(ctx.caller, input.id, ctx.requestId);
  return event;
}

/**
 * Counts for the filter menus, most frequent first: actions, and actors with their kind (people,
 * API keys, the system); identities of failed sign-ins are only counted (`attempted`), not listed.
 */
export async function facetsHandler(deps: EventsDeps, { ctx, input, signal }: CallOptions<TEventFilters | undefined>) {
  const filters = input ?? {};
  const [actions, { actors, attempted }] = await Promise.all([
    deps.events.countByAction(ctx.caller.tenantId, filters, FACET_LIMIT, { signal, viewerId: ctx.caller.actorId }),
    deps.events.countByActor(ctx.caller.tenantId, filters, FACET_LIMIT, { signal, viewerId: ctx.caller.actorId }),
  ]);
  return { actions, actors, attempted };
}
