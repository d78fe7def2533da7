import { z } from 'zod';
import { ZAffectedRecords, ZEventStatus, ZIntegration, ZRequestContext, ZActorType } from '../event.schema';
import { ZCommitment, ZSalt } from './commitment';

/**
 * The stored form of an event, version 2: three parts.
 * - The hashed part (ZHashedPart): every fact of the event, with each personal value replaced by
 *   its salted commitment (commitment.ts) and every description a template whose references name
 *   personal values (description-template.ts). Written once; nothing ever changes it, erasure
 *   included. `hashedPartBytes` (hashed-part.ts) is what the integrity log hashes.
 * - The personal part (`personal`): each personal value with its salt and the data subjects it
 *   belongs to. Erasure deletes value and salt (and the identity key), keeping the entry's key.
 * - The search part (`search`): the rendered texts the filters and facets read (search over
 *   description and subject name, the facet's actor names); erasure renders it again.
 */
export const STORED_FORM_VERSION = 2;

/** Who a personal value is about: a user of the host (an actor), or a record such as a contact. */
export const ZDataSubject = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), id: z.string() }),
  z.object({ kind: z.literal('record'), type: z.string(), id: z.string() }),
]);
export type TDataSubject = z.infer<typeof ZDataSubject>;

/**
 * Where a personal value is referenced from the hashed part: `actor.id` (an unknown identity's
 * pseudonymous id), `actor.name`, `actor.email`, `subject.name`, `changes.<i>.before|after`,
 * `metadata.<key>`.
 */
export const ZPersonalKey = z.string().regex(/^(actor\.(id|name|email)|subject\.name|changes\.\d+\.(before|after)|metadata\..+)$/);

export const ZPersonalValue = z.object({
  key: ZPersonalKey,
  /** The value as JSON text (change values and metadata may be any JSON); absent once erased. */
  value: z.string().optional(),
  salt: ZSalt.optional(),
  /** The data subjects the value belongs to; erase(subject) removes it. */
  subjects: z.array(ZDataSubject),
  /** Identity fields (e-mail addresses, sign-in names): the value lower-cased, matched by erase(…, identities). */
  identity: z.string().optional(),
  /** Set by erasure: when, so a reader can say "erased" rather than "missing". */
  erasedAt: z.date().optional(),
});
export type TPersonalValue = z.infer<typeof ZPersonalValue>;

const ZHashedActor = z.object({
  id: z.string(),
  type: ZActorType,
  role: z.string().optional(),
  name: ZCommitment.optional(),
  email: ZCommitment.optional(),
});

const ZHashedSubject = z.object({ type: z.string(), id: z.string(), name: ZCommitment.optional() });

const ZHashedChange = z.object({
  field: z.string(),
  before: ZCommitment.optional(),
  after: ZCommitment.optional(),
  redacted: z.boolean().optional(),
});

/** The part of an event the integrity log hashes. Dates are Dates here; the encoding writes ISO text. */
export const ZHashedPart = z.object({
  v: z.literal(STORED_FORM_VERSION),
  /** The event id, 24 hex characters (the document's `_id`). */
  id: z.string(),
  tenantId: z.string(),
  occurredAt: z.date(),
  receivedAt: z.date(),
  actor: ZHashedActor,
  action: z.string(),
  subject: ZHashedSubject.optional(),
  /** A template (description-template.ts): `{actor.name} updated {subject.name}`. */
  description: z.string(),
  changes: z.array(ZHashedChange),
  editCount: z.number().int(),
  status: ZEventStatus,
  /** A template, like the description. */
  failureReason: z.string().optional(),
  context: ZRequestContext,
  integration: ZIntegration.optional(),
  affected: ZAffectedRecords.optional(),
  /** JSON text; a member the action's schema marks personal holds its commitment instead of its value. */
  metadata: z.string().optional(),
});
export type THashedPart = z.infer<typeof ZHashedPart>;

export const ZSearchPart = z.object({
  description: z.string(),
  subjectName: z.string().optional(),
  actorName: z.string().optional(),
});
export type TSearchPart = z.infer<typeof ZSearchPart>;

/** The hashed part's members, in one list: `hashedPartOf` picks exactly these, so a member added beside them is never hashed by accident. */
export const HASHED_MEMBERS = [
  'v', 'tenantId', 'occurredAt', 'receivedAt', 'actor', 'action', 'subject', 'description', 'changes',
  'editCount', 'status', 'failureReason', 'context', 'integration', 'affected', 'metadata',
] as const;
