import type { CursorCodec } from './event-cursor';
import type { EventPosition } from './event-query';
import { filtersOf, type TListEventsInput } from './event-filters.schema';
import type { EventRepository } from './event.repository';
import type { TAuditEvent } from './event.schema';
import type { ReadRecorder } from './read-recorder';
import type { TAuditCaller } from '../trpc';

export interface EventsDeps {
  events: EventRepository;
  cursors: CursorCodec;
  reads: ReadRecorder | null;
}

export interface ListEventsOptions {
  ctx: { caller: TAuditCaller; requestId: string };
  input: TListEventsInput;
}

export interface EventListPage {
  items: TAuditEvent[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** Newest first, keyset-paged on (occurredAt, id): a page never shifts when newer events arrive. */
export async function listEventsHandler(deps: EventsDeps, { ctx, input }: ListEventsOptions): Promise<EventListPage> {
  const filters = filtersOf(input);
  const binding = { tenantId: ctx.caller.tenantId, filters };
  const after = input.cursor ? deps.cursors.decode(input.cursor, binding) : undefined;
  const tokenFor = (next: EventPosition) => deps.cursors.encode(next, binding);
  const page = await deps.events.findPage(ctx.caller.tenantId, filters, { after, limit: input.limit, resumeToken: input.cursor ?? undefined, tokenFor });
  deps.reads?.searched(ctx.caller, filters, ctx.requestId);
  return { items: page.events, nextCursor: page.next ? tokenFor(page.next) : null };
}
