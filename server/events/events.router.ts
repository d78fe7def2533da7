import { requireConfigured } from '../errors';
import type { LiveEvents } from './live-events';
import { type AuditProcedures, router } from '../trpc';
import type { ActionCatalog } from './action-catalog';
import { activityHandler, type ActivityDeps } from './event-activity.handler';
import { ZActivityInput, ZEventByIdInput, ZEventFiltersInput, ZListEventsInput, ZRecordHistoryInput } from './event-filters.schema';
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

    /** New events matching the filters, as they are stored, on whichever instance recorded them (SSE). */
    live: adminProcedure.input(ZEventFiltersInput.optional()).subscription(async function* ({ ctx, input, signal }) {
      const live = requireConfigured(deps.live, 'Live events');
      // Closes when the caller signs out, is demoted or expires, not only when the client leaves.
      const watch = watchLive(ctx, signal, { needsRead: true });
      try {
        yield* live.stream(ctx.caller.tenantId, input ?? {}, watch.signal, ctx.caller.actorId);
      } finally {
        watch.stop();
      }
      watch.throwIfEnded();
    }),

    actions: adminProcedure.query(() => deps.catalog.list().map(({ name, label, category }) => ({ name, label, category }))),
  });
}
