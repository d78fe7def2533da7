import type { Logger } from 'pino';
import type { HostDatabase } from '../db/host-database';
import { auditContext, identityOf, type AuditScope } from '../request-scope';
import type { BatchRecorder } from '../recorder';
import type { ActionCatalog, ActionDefinition } from './action-catalog';
import type { AffectedRecordsRepository } from './affected-records.repository';
import { toEventDocument, type EventDocument } from './event.document';
import { boundedAffected, EVENT_LIMITS, type TActorInput, type TAuditEventInput, AuditEventValidationError, ZAuditEventInput, ZBuiltEventInput, ZActor, type TAuditEvent } from './event.schema';
import { withoutUndefined } from '../common/without-undefined';
import { identityPseudonym } from './stored-form/encode-event';
import { personalMetadataOf } from './stored-form/personal-marks';

/**
 * Where an event that names no tenant is kept when it comes from capture (the mongoose plugin, the
 * tRPC middleware), which must not fail the host's write: a write outside any request scope, in a
 * multi-tenant host that did not wrap it in `runAsSystem`. No admin reads this tenant; it is
 * counted (`metrics().unscoped`) and logged, so the host can find and fix the call site.
 */
export const UNSCOPED_TENANT = '_unscoped';
const UNKNOWN_ACTOR: TActorInput = { id: 'unknown', name: 'Unknown (no request context)', type: 'system' };

export interface EventRecorderDeps {
  catalog: ActionCatalog;
  db: HostDatabase;
  batches: BatchRecorder<EventDocument>;
  affected: AffectedRecordsRepository;
  logger: Pick<Logger, 'warn' | 'error'>;
  clock: () => Date;
  defaultTenantId?: string;
  /** Keys the pseudonymous actor id of an unknown identity (stored-form/encode-event.ts). */
  identityKey?: string;
}

/** Validates an event, fills it from the request scope, gives it its id and queues it for the batch writer. */
export function createEventRecorder(deps: EventRecorderDeps) {
  const counters = { unscoped: 0, notRecorded: 0, affectedListsNotStored: 0 };
  const pseudonymOf = deps.identityKey ? identityPseudonym(deps.identityKey) : undefined;
  const encode = (event: TAuditEvent): EventDocument => {
    const definition = deps.catalog.get(event.action);
    return toEventDocument(event, deps.db.objectId, { personalMetadata: definition ? personalMetadataOf(definition.metadata) : [], pseudonymOf });
  };

  function build(input: TAuditEventInput, fallback?: { tenantId?: string; actor?: TActorInput }, inputSchema?: EventInputSchema) {
    return buildAuditEvent(input, {
      inputSchema,
      catalog: deps.catalog,
      now: deps.clock(),
      id: deps.db.objectId().toHexString(),
      scope: auditContext.current(),
      defaultTenantId: deps.defaultTenantId,
      fallback,
    });
  }

  return {
    /**
     * What capture (the mongoose plugin, the tRPC middleware) writes through: `record` never throws
     * into the host's write; `durable` (durable mode) is what the plugin's post hooks return.
     */
    capture: { record: (input: TAuditEventInput, affectedIds?: readonly string[]) => recordCaptured(input, affectedIds), logger: deps.logger, durable: () => deps.batches.durable() },
    /** The same for the mongoose plugin, whose events are built from typed parts (`ZBuiltEventInput`). */
    pluginCapture: { record: (input: TAuditEventInput, affectedIds?: readonly string[]) => recordCaptured(input, affectedIds, ZBuiltEventInput), logger: deps.logger, durable: () => deps.batches.durable() },

    /**
     * Returns the event id at once. Throws AuditEventValidationError for an invalid event (also one
     * with no tenant: a bug at the call site, so it is loud), AuditLogOverloadedError past the memory
     * bound without a spill store, AuditLogClosedError after close().
     */
    record(input: TAuditEventInput): string {
      const event = build(input);
      deps.batches.enqueue(encode(event));
      return event.id;
    },

    /**
     * For events the host did not write itself (capture): never throws into the host's write. An
     * event with no tenant goes to UNSCOPED_TENANT; one that cannot be built or queued is counted
     * (`notRecorded`) and logged with its action and subject. `affectedIds`, for a multi-record
     * write: beyond the 100 the event holds, the full list is kept under the event's tenant.
     */
    recordCaptured,

    counters: (): Readonly<typeof counters> => ({ ...counters }),

    /** An event's stored form, as this recorder writes it (the migration converts old events with it). */
    encode,
  };

  function recordCaptured(input: TAuditEventInput, affectedIds?: readonly string[], inputSchema?: EventInputSchema): string | undefined {
    try {
      const listId = affectedIds && affectedIds.length > EVENT_LIMITS.affectedIdsInEvent ? deps.affected.newListId() : undefined;
      const withList = affectedIds ? { ...input, affected: boundedAffected(affectedIds, listId) } : input;
      const event = build(withList, { tenantId: UNSCOPED_TENANT, actor: UNKNOWN_ACTOR }, inputSchema);
      deps.batches.enqueue(encode(event));
      if (listId && affectedIds) keepAffectedList(event.tenantId, listId, affectedIds);
      if (event.tenantId === UNSCOPED_TENANT) {
        counters.unscoped++;
        deps.logger.warn({ eventId: event.id, action: event.action, subject: event.subject }, `audit: event with no tenant kept under "${UNSCOPED_TENANT}" (record it inside a request or runAsSystem)`);
      }
      return event.id;
    } catch (error) {
      counters.notRecorded++;
      deps.logger.error({ err: error, action: input.action, subject: input.subject }, 'audit: captured event not recorded');
      return undefined;
    }
  }

  /** Off the host's request path; a list that cannot be stored is counted and logged with its id. */
  function keepAffectedList(tenantId: string, listId: string, ids: readonly string[]): void {
    setImmediate(() => {
      deps.affected.saveList(tenantId, listId, ids).catch((error: unknown) => {
        counters.affectedListsNotStored++;
        deps.logger.error({ err: error, tenantId, listId, ids: ids.length }, 'audit: could not store the affected record ids');
      });
    });
  }
}

export type EventRecorder = ReturnType<typeof createEventRecorder>;

export interface BuildEventDeps {
  catalog: ActionCatalog;
  now: Date;
  id: string;
  scope: AuditScope | undefined;
  /** A single-tenant host's tenant, used when neither the event nor the scope names one. */
  defaultTenantId?: string;
  /** What an event gets when nothing else names its tenant or actor (captured events: see event-recorder.ts). */
  fallback?: { tenantId?: string; actor?: TActorInput };
  /** `ZBuiltEventInput` for the mongoose plugin's events; default `ZAuditEventInput`. */
  inputSchema?: EventInputSchema;
}

export type EventInputSchema = typeof ZAuditEventInput | typeof ZBuiltEventInput;

/** Inside a request nobody is signed in to (sign-in pages, webhooks): the event says so. */
export const ANONYMOUS_ACTOR: TActorInput = { id: 'anonymous', name: 'Anonymous', type: 'user' };

/** Whether an action's metadata schema refuses no metadata at all: asked once per schema, not once per event. */
const metadataRequirement = new WeakMap<ActionDefinition['metadata'], boolean>();
function requiresMetadata(schema: ActionDefinition['metadata']): boolean {
  let required = metadataRequirement.get(schema);
  if (required === undefined) metadataRequirement.set(schema, (required = !schema.safeParse({}).success));
  return required;
}

/**
 * Pure: a host's event plus the request scope becomes a complete, valid audit event, or an
 * AuditEventValidationError that names each bad field. Explicit values win over the scope.
 */
export function buildAuditEvent(input: TAuditEventInput, { catalog, now, id, scope, defaultTenantId, fallback, inputSchema = ZAuditEventInput }: BuildEventDeps): TAuditEvent {
  const parsed = inputSchema.safeParse(input);
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
  if (definition && (metadata !== undefined || requiresMetadata(definition.metadata))) {
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
