import { z } from 'zod';
import { boundedText, identifier, TEXT_LIMITS } from '../common/bounded-text';
import { ZObjectIdHex } from '../common/object-id';
import { readableIssueList } from '../common/zod-issues';
import { AuditLogError } from '../errors';
// The schema file, not request-scope's index (AsyncLocalStorage): the admin page bundles this file.
import { ZActor, ZRequestContext } from '../request-scope/request-context.schema';

export { ZActor, ZActorType, ZDeviceType, ZRequestContext } from '../request-scope/request-context.schema';
export type { TActor, TActorInput, TDeviceType, TRequestContext } from '../request-scope/request-context.schema';
export { boundedText } from '../common/bounded-text';

/**
 * The audit event: the one source of truth for its shape. The TypeScript types, the stored
 * document (event.document.ts) and the API's inputs derive from these schemas; the actor and the
 * request context come from the request scope's schema.
 */

export const EVENT_LIMITS = {
  ...TEXT_LIMITS,
  descriptionLength: 2_000,
  changes: 500,
  metadataJsonLength: 16_000,
  affectedIdsInEvent: 100,
} as const;

export const ZSubject = z.object({
  type: identifier(64),
  id: identifier(),
  name: boundedText(EVENT_LIMITS.nameLength).optional(),
});

export const ZChange = z.object({
  field: identifier(200),
  before: z.json().optional(),
  after: z.json().optional(),
  /** True when the values were withheld (passwords, tokens, fields the host marks sensitive). */
  redacted: z.boolean().optional(),
});

export const ZIntegration = z.object({
  provider: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, { message: 'lower-case provider slug such as quickbooks or xero' }),
  externalId: z.string().max(200).optional(),
  /** Anything the provider answered that an admin needs to see (e.g. an error code). */
  detail: boundedText(1_000).optional(),
});

/** Multi-record operations: one event with the count, a bounded sample, and where to get the rest. */
export const ZAffectedRecords = z.object({
  count: z.number().int().min(0),
  ids: z.array(identifier()).max(EVENT_LIMITS.affectedIdsInEvent),
  /** Set when `ids` is not the full list; the full list is stored under this id. */
  listId: z.string().max(64).optional(),
});

/** At most 100 ids in the event; `listId` names where the full list is kept when there are more. */
export function boundedAffected(ids: readonly string[], listId: string | undefined): z.infer<typeof ZAffectedRecords> {
  const sample = ids.slice(0, EVENT_LIMITS.affectedIdsInEvent);
  return sample.length < ids.length && listId ? { count: ids.length, ids: sample, listId } : { count: ids.length, ids: sample };
}

export const ZEventStatus = z.enum(['success', 'failure']);

export const ZActionName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, { message: 'action names look like "record.updated"' })
  .max(100);

export const ZMetadata = z
  .record(z.string().min(1).max(100), z.json())
  .refine((metadata) => JSON.stringify(metadata).length <= EVENT_LIMITS.metadataJsonLength, {
    message: `must serialise to at most ${EVENT_LIMITS.metadataJsonLength} characters`,
  });

/** What a host passes to `record()`. Tenant, actor and context may come from the request context. */
export const ZAuditEventInput = z.object({
  tenantId: identifier().optional(),
  occurredAt: z.date().optional(),
  actor: ZActor.optional(),
  action: ZActionName,
  subject: ZSubject.optional(),
  description: boundedText(EVENT_LIMITS.descriptionLength, 1),
  changes: z.array(ZChange).max(EVENT_LIMITS.changes).optional(),
  editCount: z.number().int().min(0).optional(),
  status: ZEventStatus.default('success'),
  failureReason: boundedText(1_000).optional(),
  context: ZRequestContext.optional(),
  integration: ZIntegration.optional(),
  affected: ZAffectedRecords.optional(),
  metadata: ZMetadata.optional(),
});

/** A change value the mongoose plugin made JSON itself (`toJsonValue`, bounded): taken as it is, not walked again. */
const ZBuiltJson = z.custom<z.output<typeof ZChange>['before']>(() => true);

/**
 * What the mongoose plugin records: built from typed parts, so its change values are not
 * re-validated (walking `z.json()` over every value was most of a captured event's zod time); what
 * comes from the host's data and options (subject, field names, description, counts, metadata) is
 * checked as in `ZAuditEventInput`.
 */
export const ZBuiltEventInput = ZAuditEventInput.extend({
  changes: z.array(ZChange.extend({ before: ZBuiltJson.optional(), after: ZBuiltJson.optional() })).max(EVENT_LIMITS.changes).optional(),
});

/** An event as stored and as the API returns it. */
export const ZAuditEvent = z.object({
  id: ZObjectIdHex('an event id'),
  tenantId: z.string(),
  occurredAt: z.date(),
  receivedAt: z.date(),
  actor: ZActor,
  action: z.string(),
  subject: ZSubject.optional(),
  description: z.string(),
  changes: z.array(ZChange),
  editCount: z.number().int(),
  status: ZEventStatus,
  failureReason: z.string().optional(),
  context: ZRequestContext,
  integration: ZIntegration.optional(),
  affected: ZAffectedRecords.optional(),
  metadata: z.record(z.string(), z.json()).optional(),
});

export type TSubject = z.infer<typeof ZSubject>;
export type TChange = z.infer<typeof ZChange>;
export type TIntegration = z.infer<typeof ZIntegration>;
export type TAffectedRecords = z.infer<typeof ZAffectedRecords>;
export type TEventStatus = z.infer<typeof ZEventStatus>;
export type TAuditEventInput = z.input<typeof ZAuditEventInput>;
export type TParsedEventInput = z.output<typeof ZAuditEventInput>;
export type TAuditEvent = z.infer<typeof ZAuditEvent>;

/** `record()` throws this synchronously: the event is a programming error in the host, not data to keep. */
export class AuditEventValidationError extends AuditLogError {
  constructor(readonly problems: Array<{ path: string; message: string }>) {
    super('AUDIT_EVENT_INVALID', `Invalid audit event: ${problems.map(({ path, message }) => `${path}: ${message}`).join('; ')}`);
    this.name = 'AuditEventValidationError';
  }

  static fromZod(error: z.ZodError, pathPrefix = ''): AuditEventValidationError {
    return new AuditEventValidationError(readableIssueList(error.issues, { prefix: pathPrefix, whole: '(event)' }));
  }
}
