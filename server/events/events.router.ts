import { TRPCError } from '@trpc/server';
import type { ActionCatalog } from './action-catalog';
import { ZEventByIdInput, ZEventFiltersInput, ZListEventsInput } from './event-filters.schema';
import { listEventsHandler, type EventsDeps } from './list-events.handler';
import { requireConfigured } from '../exports/exports.router';
import type { LiveEvents } from '../live/live-events';
import type { AuditProcedures } from '../trpc';
import { router } from '../trpc';

/** How many distinct values each facet lists (filter menus, not reports). */
export const FACET_LIMIT = 100;

export interface EventsRouterDeps extends EventsDeps {
  catalog: ActionCatalog;
  /** From `createServices()`; without it `live` answers PRECONDITION_FAILED. */
  live?: LiveEvents;
}

export function createEventsRouter({ adminProcedure }: AuditProcedures, deps: EventsRouterDeps) {
  return router({
    list: adminProcedure.input(ZListEventsInput).query((options) => listEventsHandler(deps, options)),

    byId: adminProcedure.input(ZEventByIdInput).query(async ({ ctx, input }) => {
      const event = await deps.events.findById(ctx.caller.tenantId, input.id);
      if (!event) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such event' });
      deps.reads?.opened(ctx.caller, input.id, ctx.requestId);
      return event;
    }),

    facets: adminProcedure.input(ZEventFiltersInput.optional()).query(async ({ ctx, input }) => {
      const filters = input ?? {};
      const [actions, actors] = await Promise.all([
        deps.events.countByAction(ctx.caller.tenantId, filters, FACET_LIMIT),
        deps.events.countByActor(ctx.caller.tenantId, filters, FACET_LIMIT),
      ]);
      return { actions, actors };
    }),

    /** New events matching the filters, as they are stored, on whichever instance recorded them (SSE). */
    live: adminProcedure.input(ZEventFiltersInput.optional()).subscription(async function* ({ ctx, input, signal }) {
      const live = requireConfigured(deps.live, 'Live events');
      yield* live.stream(ctx.caller.tenantId, input ?? {}, signal);
    }),

    actions: adminProcedure.query(() =>
      deps.catalog.list().map(({ name, label, category }) => ({ name, label, category })),
    ),
  });
}
