import type { TAuditCaller } from '../access';
import { activityRange, toActivity, type TActivity } from './event-activity';
import type { EventActivityRepository } from './event-activity.repository';
import type { TEventFilters } from './event-filters.schema';

export interface ActivityDeps {
  activity: EventActivityRepository;
  clock?: () => Date;
}

/**
 * Events per hour for the filters, from one grouped query (not from the loaded rows): the admin
 * page folds the hours into days in the viewer's zone when the range is long.
 */
export async function activityHandler(deps: ActivityDeps, { ctx, input }: { ctx: { caller: TAuditCaller }; input: TEventFilters | undefined }): Promise<TActivity> {
  const filters = input ?? {};
  const { tenantId, actorId } = ctx.caller;
  const oldest = filters.from ? null : await deps.activity.oldestOccurredAt(tenantId, filters, actorId);
  const range = activityRange(filters, oldest, deps.clock?.() ?? new Date());
  const counts = await deps.activity.countByHour(tenantId, { ...filters, from: range.from, to: range.to }, actorId);
  return toActivity(range, counts);
}
