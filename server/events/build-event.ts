import type { ActionCatalog } from './action-catalog';
import { ZAuditEventInput, ZActor, type TAuditEvent, type TAuditEventInput } from './event.schema';
import type { AuditScope } from '../recorder/audit-context';
import { AuditEventValidationError } from '../recorder/recorder.errors';
import { withoutUndefined } from './event.document';

export interface BuildEventDeps {
  catalog: ActionCatalog;
  now: Date;
  id: string;
  scope: AuditScope | undefined;
}

/**
 * Pure: a host's event plus the request scope becomes a complete, valid audit event, or an
 * AuditEventValidationError that names each bad field. Explicit values win over the scope.
 */
export function buildAuditEvent(input: TAuditEventInput, { catalog, now, id, scope }: BuildEventDeps): TAuditEvent {
  const parsed = ZAuditEventInput.safeParse(input);
  if (!parsed.success) throw AuditEventValidationError.fromZod(parsed.error);
  const event = parsed.data;

  const problems: Array<{ path: string; message: string }> = [];
  const tenantId = event.tenantId ?? scope?.tenantId;
  if (!tenantId) problems.push({ path: 'tenantId', message: 'required (no request context to take it from)' });

  let actor = event.actor;
  if (!actor && scope) {
    const fromScope = ZActor.safeParse(scope.actor);
    if (fromScope.success) actor = fromScope.data;
    else problems.push(...AuditEventValidationError.fromZod(fromScope.error, 'context.actor.').problems);
  }
  if (!actor && !scope) problems.push({ path: 'actor', message: 'required (no request context to take it from)' });

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
    context: withoutUndefined({ ...scope?.request, ...event.context }),
    integration: event.integration && withoutUndefined(event.integration),
    affected: event.affected,
    metadata,
  });
}
