import { AsyncLocalStorage } from 'node:async_hooks';
import type { TActorInput, TRequestContext } from './request-context.schema';

/** Who the host's authentication says is acting, and for which tenant. */
export interface AuditIdentity {
  /** Optional for single-tenant hosts, which name their tenant once (`createAuditLog({ tenantId })`). */
  tenantId?: string;
  actor: TActorInput;
  /** An id of the session safe to show in the log (never the session token). */
  sessionId?: string;
}

/**
 * Who is acting, for which tenant, from where: kept for the rest of a request (or a job) so that
 * `record()`, the mongoose plugin and the tRPC middleware fill events in without being told.
 *
 * `tenantId`/`actor` are fixed when the scope is made (jobs, scripts, the download route). A
 * request scope instead carries `resolve`, asked each time an event is made: hosts often
 * authenticate inside a router, after the request middleware ran, and the event must name the
 * user that authentication found.
 */
export interface AuditScope {
  tenantId?: string;
  actor?: TActorInput;
  request: TRequestContext;
  resolve?: () => AuditIdentity | null | undefined;
}

const storage = new AsyncLocalStorage<AuditScope>();

export const SYSTEM_ACTOR: TActorInput = { id: 'system', name: 'System', type: 'system' };

export const auditContext = {
  /** Runs `work` with this scope; everything it awaits sees it. */
  run<T>(scope: AuditScope, work: () => T): T {
    return storage.run(scope, work);
  },
  /** For work outside HTTP (jobs, scripts): the actor is the system unless one is given. */
  runAsSystem<T>(tenantId: string, work: () => T, actor: Partial<TActorInput> = {}): T {
    return storage.run({ tenantId, actor: { ...SYSTEM_ACTOR, ...actor }, request: {} }, work);
  },
  current(): AuditScope | undefined {
    return storage.getStore();
  },
};

/**
 * The identity in effect now: the scope's fixed one, else what its resolver answers. A resolver
 * that answers with a promise is ignored here (an event is built synchronously); the request
 * middleware awaits such resolvers once, at the start of the request, and fixes the answer.
 */
export function identityOf(scope: AuditScope | undefined): Partial<AuditIdentity> {
  if (!scope) return {};
  if (scope.actor || scope.tenantId) return { tenantId: scope.tenantId || undefined, actor: scope.actor };
  const resolved = scope.resolve?.();
  if (!resolved || typeof (resolved as unknown as PromiseLike<unknown>).then === 'function') return {};
  return resolved;
}
