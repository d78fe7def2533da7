import { z } from 'zod';
import { checkFilterCombination, ZEventFilters } from './event-filters.schema';
import type { TAuditEvent } from './event.schema';

/**
 * What `events.follow` takes: the filters of `events.list`, and `lastEventId`, which tRPC fills in on
 * a reconnect from the last tracked id the client received (a position token, below).
 */
export const ZFollowEventsInput = ZEventFilters.extend({ lastEventId: z.string().max(100).nullish() }).superRefine(checkFilterCombination);
export type TFollowEventsInput = z.input<typeof ZFollowEventsInput>;

/**
 * One message of a live view: a new event, or "reload": events may have been missed (too many to
 * replay, or the database could not say which), so the client refetches its list.
 */
export type TLiveMessage = { kind: 'event'; event: TAuditEvent } | { kind: 'reload'; reason: string };

/** Where a view stands: after this event (receipt time, then id), or everything received since `since`. */
export interface LivePosition {
  since: Date;
  afterId?: string;
}

/**
 * Position tokens are the tracked ids of `events.follow`: `e<receivedAt ms>-<event id>` after an
 * event, `r<ms>` after a reload (the client refetched at about that moment). Opaque to clients.
 */
export const positionAfterEvent = (event: Pick<TAuditEvent, 'id' | 'receivedAt'>) => `e${event.receivedAt.getTime()}-${event.id}`;
export const positionAfterReload = (at: number) => `r${at}`;

export function parsePosition(token: string): LivePosition | undefined {
  const match = /^(?:e(\d{1,15})-([0-9a-f]{24})|r(\d{1,15}))$/.exec(token);
  if (!match) return undefined;
  if (match[3] !== undefined) return { since: new Date(Number(match[3])) };
  return { since: new Date(Number(match[1])), afterId: match[2] };
}

/** Whether an event comes after the position: received later, or at the same millisecond with a greater id. */
export function isAfterPosition(event: Pick<TAuditEvent, 'id' | 'receivedAt'>, position: LivePosition): boolean {
  const difference = event.receivedAt.getTime() - position.since.getTime();
  if (difference !== 0) return difference > 0;
  return position.afterId === undefined || event.id > position.afterId;
}
