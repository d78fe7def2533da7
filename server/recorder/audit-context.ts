import { AsyncLocalStorage } from 'node:async_hooks';
import type { TActorInput, TRequestContext } from '../events/event.schema';

/**
 * Who is acting, for which tenant, from where: kept for the rest of a request (or a job) so that
 * `record()`, the mongoose plugin and the tRPC middleware fill events in without being told.
 */
export interface AuditScope {
  tenantId: string;
  actor: TActorInput;
  request: TRequestContext;
}

const storage = new AsyncLocalStorage<AuditScope>();

export const auditContext = {
  /** Runs `work` with this scope; everything it awaits sees it. */
  run<T>(scope: AuditScope, work: () => T): T {
    return storage.run(scope, work);
  },
  /** For work outside HTTP (jobs, scripts): the actor is the system unless one is given. */
  runAsSystem<T>(tenantId: string, work: () => T, actor: Partial<TActorInput> = {}): T {
    return storage.run({ tenantId, actor: { id: 'system', name: 'System', type: 'system', ...actor }, request: {} }, work);
  },
  current(): AuditScope | undefined {
    return storage.getStore();
  },
};
