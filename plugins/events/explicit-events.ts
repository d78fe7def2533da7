import type { DataSubjectErasure, TActorInput, TAuditEventInput, TSubject } from '../../server/events';
import { ERASED_MARKER, EVENT_LIMITS } from '../../server/events/capture';

/**
 * Pure builders for what the database cannot see. Each returns the event for `auditLog.record()`;
 * tenant, actor and request details come from the request context unless given here.
 */
type SubjectRef = { type: string; id: string; name?: string };

export function recordViewedEvent({ subject }: { subject: SubjectRef }): TAuditEventInput {
  return { action: 'record.viewed', subject, description: `Viewed ${subject.type} ${quoted(subject)}` };
}

export function commentCreatedEvent({ discussion, commentId }: { discussion: SubjectRef; commentId?: string }): TAuditEventInput {
  return {
    action: 'comment.created',
    subject: discussion,
    description: `Commented on ${discussion.type} ${quoted(discussion)}`,
    metadata: commentId ? { discussionId: discussion.id, commentId } : { discussionId: discussion.id },
  };
}

/** Names the kind of record and the fields erased, never their values. */
export function dataErasedEvent({ subject, erasedFields, erasure }: { subject: { type: string; id: string }; erasedFields: string[]; erasure: DataSubjectErasure }): TAuditEventInput {
  return {
    action: 'data.erased',
    subject: { type: subject.type, id: subject.id, name: ERASED_MARKER },
    description: `Erased personal data of ${subject.type} ${subject.id}: ${erasedFields.join(', ')}`,
    changes: erasedFields.map((field) => ({ field, redacted: true })),
    metadata: {
      erasedFields,
      relatedEventsPseudonymised: erasure.events,
      erasedValues: erasure.values,
      spilledEvents: erasure.spilledEvents,
      exportsRemoved: erasure.exportsRemoved,
    },
  };
}

/** What replaces an erased person's personal data in earlier events. */
export { ERASED_MARKER };

export const ACCOUNTING_PROVIDERS = { quickbooks: 'QuickBooks Online', xero: 'Xero' } as const;
export type AccountingProvider = keyof typeof ACCOUNTING_PROVIDERS;

export type InvoicePostOutcome = { ok: true; externalId: string } | { ok: false; reason: string; externalId?: string };

export function invoicePostedEvent({ invoice, provider, outcome }: {
  invoice: { id: string; number: string; amount: number; currency: string };
  provider: AccountingProvider;
  outcome: InvoicePostOutcome;
}): TAuditEventInput {
  const subject = { type: 'invoice', id: invoice.id, name: invoice.number };
  const base = {
    action: 'invoice.posted',
    subject,
    integration: { provider, ...(outcome.externalId ? { externalId: outcome.externalId } : {}), ...(outcome.ok ? {} : { detail: outcome.reason.slice(0, 1_000) }) },
    metadata: { amount: invoice.amount, currency: invoice.currency, invoiceNumber: invoice.number },
  };
  return outcome.ok
    ? { ...base, description: `Posted invoice ${invoice.number} (${formatAmount(invoice)}) to ${ACCOUNTING_PROVIDERS[provider]}` }
    : { ...base, status: 'failure', failureReason: outcome.reason.slice(0, 1_000), description: `Posting invoice ${invoice.number} (${formatAmount(invoice)}) to ${ACCOUNTING_PROVIDERS[provider]} failed` };
}

export interface SignedInUser {
  tenantId: string;
  actor: TActorInput & { id: string };
  sessionId: string;
}

export function loginSucceededEvent({ tenantId, actor, sessionId }: SignedInUser): TAuditEventInput {
  return {
    tenantId,
    actor,
    action: 'user.login',
    subject: { type: 'user', id: actor.id, ...(actor.name ? { name: actor.name } : {}) },
    description: `${actor.name ?? actor.id} signed in`,
    context: { sessionId },
  };
}

/** Records who was attempted, never the password that was tried. */
export function loginFailedEvent({ tenantId, attemptedIdentity, reason, userId }: { tenantId: string; attemptedIdentity: string; reason: string; userId?: string }): TAuditEventInput {
  const identity = attemptedIdentity.slice(0, 320);
  return {
    tenantId,
    actor: { id: userId ?? `unknown:${identity}`.slice(0, EVENT_LIMITS.idLength), name: identity, type: 'user' },
    action: 'user.login_failed',
    status: 'failure',
    failureReason: reason,
    description: `Failed sign-in as ${identity}`,
    metadata: { attemptedIdentity: identity },
  };
}

export function loggedOutEvent({ tenantId, actor, sessionId }: SignedInUser): TAuditEventInput {
  return {
    tenantId,
    actor,
    action: 'user.logout',
    subject: { type: 'user', id: actor.id, ...(actor.name ? { name: actor.name } : {}) },
    description: `${actor.name ?? actor.id} signed out`,
    context: { sessionId },
  };
}

/** For hosts whose bulk edits do not go through `updateMany` (the plugin records those itself). */
export function bulkEditedEvent({ subjectType, ids, fields, listId }: { subjectType: string; ids: string[]; fields: string[]; listId?: string }): TAuditEventInput {
  const sample = ids.slice(0, EVENT_LIMITS.affectedIdsInEvent);
  return {
    action: 'records.bulk_edited',
    subject: { type: subjectType, id: '*', name: `${ids.length} ${subjectType} records` },
    description: `Bulk-edited ${ids.length} ${subjectType} records: ${fields.join(', ')}`,
    affected: { count: ids.length, ids: sample, ...(listId && sample.length < ids.length ? { listId } : {}) },
    changes: fields.map((field) => ({ field })),
    editCount: ids.length * Math.max(1, fields.length),
    metadata: { fields },
  };
}

export function listExportedEvent({ list, rowCount, format }: { list: string; rowCount: number; format: string }): TAuditEventInput {
  return {
    action: 'list.exported',
    subject: { type: 'list', id: list },
    description: `Exported ${rowCount} rows of ${list} as ${format.toUpperCase()}`,
    metadata: { list, rowCount, format },
  };
}

function quoted(subject: SubjectRef): string {
  return subject.name ? `"${subject.name}"` : subject.id;
}

function formatAmount({ amount, currency }: { amount: number; currency: string }): string {
  return `${amount.toFixed(2)} ${currency}`;
}

export type { TSubject };
