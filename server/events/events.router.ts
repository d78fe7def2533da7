import { tracked } from '@trpc/server';
import { requireConfigured } from '../errors';
import type { LiveEvents } from './live-events';
import { type AuditProcedures, router } from '../trpc';
import type { ActionCatalog } from './action-catalog';
import { activityHandler, type ActivityDeps } from './event-activity.handler';
import { ZActivityInput, ZEventByIdInput, ZEventFiltersInput, ZListEventsInput, ZRecordHistoryInput } from './event-filters.schema';
import { ZFollowEventsInput } from './live-events.schema';
import { eventByIdHandler, facetsHandler, listEventsHandler, recordHistoryHandler, type EventsDeps } from './events.handlers';

export interface EventsRouterDeps extends EventsDeps, ActivityDeps {
  catalog: ActionCatalog;
  /** Without Redis `live` answers PRECONDITION_FAILED. */
  live?: LiveEvents;
}

/** The read side of the log, admins of the caller's tenant only. */
export function createEventsRouter({ adminProcedure, readProcedure, watchLive }: AuditProcedures, deps: EventsRouterDeps) {
  return router({
    list: readProcedure.input(ZListEventsInput).query((call) => listEventsHandler(deps, call)),
    byId: readProcedure.input(ZEventByIdInput).query((call) => eventByIdHandler(deps, call)),
    history: readProcedure.input(ZRecordHistoryInput).query((call) => recordHistoryHandler(deps, call)),
    activity: readProcedure.input(ZActivityInput).query((call) => activityHandler(deps, call)),
    facets: readProcedure.input(ZEventFiltersInput.optional()).query((call) => facetsHandler(deps, call)),

    /**
     * New events matching the filters, as they are stored, on whichever instance recorded them (SSE).
     * Events missed while Redis was away are replayed; a client that must reload is not told (follow is).
     */
    live: adminProcedure.input(ZEventFiltersInput.optional()).subscription(async function* ({ ctx, input, signal }) {
      const live = requireConfigured(deps.live, 'Live events');
      // Closes when the caller signs out, is demoted or expires, not only when the client leaves.
      const watch = watchLive(ctx, signal, { needsRead: true });
      try {
        for await (const { message } of live.stream(ctx.caller.tenantId, input ?? {}, watch.signal, { viewerId: ctx.caller.actorId })) {
          if (message.kind === 'event') yield message.event;
        }
      } finally {
        watch.stop();
      }
      watch.throwIfEnded();
    }),

    /**
     * `live` with positions: each message is tracked, so a reconnecting client resumes after the last
     * one it received (tRPC sends it as `lastEventId`), and "reload" says when events may be missing.
     */
    follow: adminProcedure.input(ZFollowEventsInput).subscription(async function* ({ ctx, input, signal }) {
      const live = requireConfigured(deps.live, 'Live events');
      const watch = watchLive(ctx, signal, { needsRead: true });
      const { lastEventId, ...filters } = input;
      try {
        for await (const { position, message } of live.stream(ctx.caller.tenantId, filters, watch.signal, { viewerId: ctx.caller.actorId, resumeFrom: lastEventId })) {
          yield tracked(position, message);
        }
      } finally {
        watch.stop();
      }
      watch.throwIfEnded();
    }),

    actions: adminProcedure.query(() => deps.catalog.list().map(({ name, label, category }) => ({ name, label, category }))),
  });
}
