import type { ActionCatalog } from './action-catalog';
import { AuditEventValidationError, ZAuditEventInput, ZActor, type TActorInput, type TAuditEvent, type TAuditEventInput } from './event.schema';
import { identityOf, type AuditScope } from '../request-scope';
import { withoutUndefined } from '../common/without-undefined';

export interface BuildEventDeps {
  catalog: ActionCatalog;
  now: Date;
  id: string;
  scope: AuditScope | undefined;
  /** A single-tenant host's tenant, used when neither the event nor the scope names one. */
  defaultTenantId?: string;
  /** What an event gets when nothing else names its tenant or actor (captured events: see event-recorder.ts). */
  fallback?: { tenantId?: string; actor?: TActorInput };
}

/** Inside a request nobody is signed in to (sign-in pages, webhooks): the event says so. */
export const ANONYMOUS_ACTOR: TActorInput = { id: 'anonymous', name: 'Anonymous', type: 'user' };

/**
 * Pure: a host's event plus the request scope becomes a complete, valid audit event, or an
 * AuditEventValidationError that names each bad field. Explicit values win over the scope.
 */
export function buildAuditEvent(input: TAuditEventInput, { catalog, now, id, scope, defaultTenantId, fallback }: BuildEventDeps): TAuditEvent {
  const parsed = ZAuditEventInput.safeParse(input);
  if (!parsed.success) throw AuditEventValidationError.fromZod(parsed.error);
  const event = parsed.data;

  const problems: Array<{ path: string; message: string }> = [];
  const identity = event.tenantId && event.actor ? {} : identityOf(scope);
  const tenantId = event.tenantId ?? identity.tenantId ?? defaultTenantId ?? fallback?.tenantId;
  if (!tenantId) problems.push({ path: 'tenantId', message: 'required (no request context to take it from)' });

  let actor = event.actor;
  const actorFromScope = identity.actor ?? (scope ? ANONYMOUS_ACTOR : fallback?.actor);
  if (!actor && actorFromScope) {
    const fromScope = ZActor.safeParse(actorFromScope);
    if (fromScope.success) actor = fromScope.data;
    else problems.push(...AuditEventValidationError.fromZod(fromScope.error, 'context.actor.').problems);
  }
  if (!actor && !actorFromScope) problems.push({ path: 'actor', message: 'required (no request context to take it from)' });

  const definition = catalog.get(event.action);
  if (!definition) problems.push({ path: 'action', message: `unknown action "${event.action}" (register it in createAuditLog({ actions }))` });
  let metadata = event.metadata;
  if (definition && (metadata !== undefined || definition.metadata.safeParse({}).success === false)) {
    const checked = definition.metadata.safeParse(metadata ?? {});
    if (checked.success) metadata = checked.data as typeof metadata;
    else problems.push(...AuditEventValidationError.fromZod(checked.error, 'metadata.').problems);
  }
  if (event.status === 'failure' && !event.failureReason) problems.push({ path: 'failureReason', message: 'required when status is "failure"' });
  if (problems.length > 0 || !tenantId || !actor) throw new AuditEventValidationError(problems);

  const changes = event.changes ?? [];
  return withoutUndefined({
    id,
    tenantId,
    occurredAt: event.occurredAt ?? now,
    receivedAt: now,
    actor: withoutUndefined(actor),
    action: event.action,
    subject: event.subject && withoutUndefined(event.subject),
    description: event.description,
    changes,
    editCount: event.editCount ?? changes.length,
    status: event.status,
    failureReason: event.failureReason,
    context: withoutUndefined({ ...scope?.request, ...(identity.sessionId ? { sessionId: identity.sessionId } : {}), ...event.context }),
    integration: event.integration && withoutUndefined(event.integration),
    affected: event.affected,
    metadata,
  });
}
