import type { TAuditEvent, TChange } from '../event.schema';
import { ERASED_MARKER, renderTemplate } from './description-template';
import type { EventDocumentV2 } from './encode-event';

/**
 * A stored event (v2) as the API returns it: every personal value put back where the hashed part
 * references it, an erased one as ERASED_MARKER (an erased e-mail is left out). The reader sees the
 * event as the host recorded it, less what was erased.
 */
export function decodeEvent(document: EventDocumentV2): TAuditEvent {
  const values = new Map<string, unknown>();
  for (const entry of document.personal ?? []) if (entry.value !== undefined) values.set(entry.key, JSON.parse(entry.value));
  const valueOf = (key: string): unknown => (values.has(key) ? values.get(key) : ERASED_MARKER);
  const textOf = (key: string): string | undefined => {
    if (!values.has(key)) return undefined;
    const value = values.get(key);
    return typeof value === 'string' ? value : JSON.stringify(value);
  };

  const { actor } = document;
  const event: TAuditEvent = {
    id: document._id.toHexString(),
    tenantId: document.tenantId,
    occurredAt: document.occurredAt,
    receivedAt: document.receivedAt,
    actor: { id: actor.id, type: actor.type },
    action: document.action,
    description: document.search?.description ?? renderTemplate(document.description, textOf),
    changes: (document.changes ?? []).map((change, index) => {
      const decoded: TChange = { field: change.field };
      if (change.redacted) decoded.redacted = true;
      if (change.before !== undefined) decoded.before = valueOf(`changes.${index}.before`) as TChange['before'];
      if (change.after !== undefined) decoded.after = valueOf(`changes.${index}.after`) as TChange['after'];
      return decoded;
    }),
    editCount: document.editCount,
    status: document.status,
    context: document.context ?? {},
  };
  if (actor.name !== undefined) event.actor.name = textOf('actor.name') ?? ERASED_MARKER;
  const email = textOf('actor.email');
  if (actor.email !== undefined && email !== undefined) event.actor.email = email;
  if (actor.role !== undefined) event.actor.role = actor.role;
  if (document.subject) {
    event.subject = { type: document.subject.type, id: document.subject.id };
    if (document.subject.name !== undefined) event.subject.name = textOf('subject.name') ?? ERASED_MARKER;
  }
  if (document.failureReason !== undefined) event.failureReason = renderTemplate(document.failureReason, textOf);
  if (document.integration) event.integration = document.integration;
  if (document.affected) event.affected = document.affected;
  if (document.metadata !== undefined) {
    const metadata = JSON.parse(document.metadata) as Record<string, unknown>;
    for (const entry of document.personal ?? []) {
      if (entry.key.startsWith('metadata.')) metadata[entry.key.slice('metadata.'.length)] = valueOf(entry.key);
    }
    event.metadata = metadata as TAuditEvent['metadata'];
  }
  return event;
}

/** The actor's e-mail of a stored event, unless erased (for export rows, without decoding the rest). */
export function storedActorEmail(document: EventDocumentV2): string | undefined {
  if (document.actor.email === undefined) return undefined;
  const entry = document.personal.find((candidate) => candidate.key === 'actor.email');
  return entry?.value === undefined ? undefined : (JSON.parse(entry.value) as string);
}

export function renderedFailureReason(document: EventDocumentV2): string | undefined {
  if (document.failureReason === undefined) return undefined;
  return renderTemplate(document.failureReason, (key) => {
    const entry = document.personal.find((candidate) => candidate.key === key);
    if (entry?.value === undefined) return undefined;
    const value = JSON.parse(entry.value) as unknown;
    return typeof value === 'string' ? value : entry.value;
  });
}
