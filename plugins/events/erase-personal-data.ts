import type { EventErasureRepository, TAuditEventInput } from '../../server/events';
import { identityOf, auditContext } from '../../server/request-scope';
import { dataErasedEvent, ERASED_MARKER } from './explicit-events';

export interface ErasePersonalDataInput {
  tenantId?: string;
  subject: { type: string; id: string };
  /** The fields the host's erase tool cleared (recorded by name). */
  erasedFields: string[];
  /** Their current values (name, email, phone…): removed from earlier events, never recorded. Values the
   *  record's own events show for these fields (an old e-mail) are found and removed too. */
  personalValues: string[];
}

export interface ErasureDeps {
  flush(): Promise<void>;
  erasure: EventErasureRepository;
  record(event: TAuditEventInput): string;
  defaultTenantId?: string;
}

/**
 * The audit side of the erase tool, run after the host has cleared the record itself: earlier events
 * that mention the person get a marker instead, then the erase is recorded (field names only).
 * Events still queued are flushed first, so none slips past the pseudonymisation.
 */
export async function erasePersonalDataFromLog(deps: ErasureDeps, input: ErasePersonalDataInput): Promise<{ eventId: string; relatedEventsPseudonymised: number }> {
  const tenantId = input.tenantId ?? identityOf(auditContext.current()).tenantId ?? deps.defaultTenantId;
  if (!tenantId) throw new Error('erasePersonalDataFromLog: no tenant (pass tenantId or run inside a request context)');
  await deps.flush();
  const { erasure } = deps;
  const formerValues = await erasure.formerValuesOf(tenantId, input.subject, input.erasedFields);
  const relatedEventsPseudonymised = await erasure.pseudonymise(tenantId, [...input.personalValues, ...formerValues], ERASED_MARKER);
  const eventId = deps.record({ tenantId, ...dataErasedEvent({ subject: input.subject, erasedFields: input.erasedFields, relatedEventsPseudonymised }) });
  return { eventId, relatedEventsPseudonymised };
}
