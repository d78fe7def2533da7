import type { DataSubjectErasure, TAuditEventInput, TDataSubject, TErasureRequest } from '../../server/events';
import { identityOf, auditContext } from '../../server/request-scope';
import { dataErasedEvent } from './explicit-events';

export interface ErasePersonalDataInput {
  tenantId?: string;
  /** The data subject: a record of the host (`{ type: 'contact', id }`) or a user (`{ type: 'user', id }`). */
  subject: { type: string; id: string };
  /** The fields the host's erase tool cleared (recorded by name). */
  erasedFields: string[];
  /** The person's identities: e-mail addresses (old ones too) and sign-in names, erased wherever an event holds them. */
  identities?: string[];
  /** Before 0.3: the values to remove. Those that are e-mail addresses are taken as identities; names are not
   *  matched as text any more (that erased other people's names): every value of the subject is erased by subject. */
  personalValues?: string[];
}

export interface ErasureDeps {
  eraseSubject(tenantId: string, request: TErasureRequest): Promise<DataSubjectErasure>;
  record(event: TAuditEventInput): string;
  defaultTenantId?: string;
}

export interface PersonalDataErasure extends DataSubjectErasure {
  /** The data.erased event. */
  eventId: string;
  /** Events whose personal values were erased (as `events`; the name kept from before 0.3). */
  relatedEventsPseudonymised: number;
}

/**
 * The audit side of the erase tool, run after the host has cleared the record itself: every personal
 * value of the subject, and its identities, is erased from the tenant's events, spilled events and
 * export files; then the erase is recorded (field names and counts only).
 */
export async function erasePersonalDataFromLog(deps: ErasureDeps, input: ErasePersonalDataInput): Promise<PersonalDataErasure> {
  const tenantId = input.tenantId ?? identityOf(auditContext.current()).tenantId ?? deps.defaultTenantId;
  if (!tenantId) throw new Error('erasePersonalDataFromLog: no tenant (pass tenantId or run inside a request context)');
  const subject: TDataSubject = input.subject.type === 'user' ? { kind: 'user', id: input.subject.id } : { kind: 'record', type: input.subject.type, id: input.subject.id };
  const identities = [...(input.identities ?? []), ...(input.personalValues ?? []).filter((value) => value.includes('@'))];
  const erasure = await deps.eraseSubject(tenantId, { subject, identities });
  const eventId = deps.record({ tenantId, ...dataErasedEvent({ subject: input.subject, erasedFields: input.erasedFields, erasure }) });
  return { ...erasure, eventId, relatedEventsPseudonymised: erasure.events };
}
