import type { Logger } from 'pino';
import type { HostDatabase } from '../db/host-database';
import { auditContext } from '../request-scope';
import type { BatchRecorder } from '../recorder';
import type { ActionCatalog } from './action-catalog';
import type { AffectedRecordsRepository } from './affected-records.repository';
import { buildAuditEvent } from './build-event';
import { toEventDocument, type EventDocument } from './event.document';
import { boundedAffected, EVENT_LIMITS, type TActorInput, type TAuditEventInput } from './event.schema';

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
}

/** Validates an event, fills it from the request scope, gives it its id and queues it for the batch writer. */
export function createEventRecorder(deps: EventRecorderDeps) {
  const counters = { unscoped: 0, notRecorded: 0, affectedListsNotStored: 0 };

  function build(input: TAuditEventInput, fallback?: { tenantId?: string; actor?: TActorInput }) {
    return buildAuditEvent(input, {
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
     * Returns the event id at once. Throws AuditEventValidationError for an invalid event (also one
     * with no tenant: a bug at the call site, so it is loud), AuditLogOverloadedError past the memory
     * bound without a spill store, AuditLogClosedError after close().
     */
    record(input: TAuditEventInput): string {
      const event = build(input);
      deps.batches.enqueue(toEventDocument(event, deps.db.objectId));
      return event.id;
    },

    /**
     * For events the host did not write itself (capture): never throws into the host's write. An
     * event with no tenant goes to UNSCOPED_TENANT; one that cannot be built or queued is counted
     * (`notRecorded`) and logged with its action and subject. `affectedIds`, for a multi-record
     * write: beyond the 100 the event holds, the full list is kept under the event's tenant.
     */
    recordCaptured(input: TAuditEventInput, affectedIds?: readonly string[]): string | undefined {
      try {
        const listId = affectedIds && affectedIds.length > EVENT_LIMITS.affectedIdsInEvent ? deps.affected.newListId() : undefined;
        const withList = affectedIds ? { ...input, affected: boundedAffected(affectedIds, listId) } : input;
        const event = build(withList, { tenantId: UNSCOPED_TENANT, actor: UNKNOWN_ACTOR });
        deps.batches.enqueue(toEventDocument(event, deps.db.objectId));
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
    },

    counters: (): Readonly<typeof counters> => ({ ...counters }),
  };

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
