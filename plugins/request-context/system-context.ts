import { auditContext } from '../../server/request-scope';
import type { TActorInput } from '../../server/events';

/**
 * For work outside HTTP (jobs, scripts, seeds): everything `work` does is attributed to the system
 * actor of this tenant (or to the given actor, e.g. a named job), like a request would be.
 */
export function runAsSystem<T>(tenantId: string, work: () => T, actor: Partial<TActorInput> = {}): T {
  return auditContext.runAsSystem(tenantId, work, actor);
}

export { auditContext };
