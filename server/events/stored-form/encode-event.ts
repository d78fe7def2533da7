import { createHmac } from 'node:crypto';
import type { ObjectId } from 'mongodb';
import { withoutUndefined } from '../../common/without-undefined';
import type { TAuditEvent } from '../event.schema';
import { CanonicalEncodingError, canonicalJson } from './canonical-encoding';
import { commitCanonical, newSalt } from './commitment';
import { ERASED_MARKER, renderTemplate, toTemplate, type TemplateValue } from './description-template';
import type { StoredEventV2 } from './hashed-part';
import type { PersonalMetadataMark } from './personal-marks';
import { STORED_FORM_VERSION, type TDataSubject, type THashedPart, type TPersonalValue, type TSearchPart } from './stored-event.schema';

export type EventDocumentV2 = StoredEventV2 & {
  _id: ObjectId;
  /** Every data subject the personal values belong to (`user:<id>`, `record:<type>:<id>`): what erasure queries. Outside the hashed part. */
  dataSubjects?: string[];
};

export interface EncodeOptions {
  /** The metadata members the action's schema marks personal (personal-marks.ts). */
  personalMetadata?: readonly PersonalMetadataMark[];
  /** The id an unknown identity (a failed sign-in's e-mail) acts under: see identityPseudonym. */
  pseudonymOf?: (tenantId: string, identity: string) => string;
}

/** `unknown:<identity>`: how a host names an actor it knows only by the identity tried (explicit-events.ts). */
export const UNKNOWN_IDENTITY_PREFIX = 'unknown:';
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * A keyed pseudonym for an identity within a tenant: the same address always gets the same id (so
 * the facets and filters group its attempts as before), the id holds no part of the address, and
 * without the key it cannot be recomputed from a guess. After an erasure the id stays (it is in the
 * hashed part) while the address is in no field.
 */
export function identityPseudonym(key: string): (tenantId: string, identity: string) => string {
  return (tenantId, identity) => createHmac('sha256', key).update(`${tenantId}\u0000${identity.trim().toLowerCase()}`).digest('base64url').slice(0, 22);
}

const DEFAULT_PSEUDONYM = identityPseudonym('crm-audit-log identity pseudonyms (development key)');

interface PendingValue {
  key: string;
  value: unknown;
  subjects: TDataSubject[];
  identity?: string;
  /** Set once the value is committed to. */
  commitment?: string;
}

/** A change's values, by side: the hashed part takes their commitments by index, not by a key built and looked up again. */
type ChangeValues = { before?: PendingValue; after?: PendingValue };

/** An event becomes its stored form (v2): hashed part, personal part, search part. */
export function encodeEvent(event: TAuditEvent, objectId: (hex: string) => ObjectId, options: EncodeOptions = {}): EventDocumentV2 {
  const pending: PendingValue[] = [];
  const committed = (key: string, value: unknown, subjects: TDataSubject[], identity?: string): PendingValue => {
    const entry: PendingValue = identity === undefined ? { key, value, subjects } : { key, value, subjects, identity };
    pending.push(entry);
    return entry;
  };
  const actorSubjects: TDataSubject[] = [];
  const { actor } = event;
  let actorId = actor.id;
  if (actor.id.startsWith(UNKNOWN_IDENTITY_PREFIX) && actor.id.length > UNKNOWN_IDENTITY_PREFIX.length) {
    const identity = actor.id.slice(UNKNOWN_IDENTITY_PREFIX.length);
    committed('actor.id', identity, [], identity.trim().toLowerCase());
    actorId = `${UNKNOWN_IDENTITY_PREFIX}${(options.pseudonymOf ?? DEFAULT_PSEUDONYM)(event.tenantId, identity)}`;
  } else actorSubjects.push({ kind: 'user', id: actor.id });
  const actorIsIdentity = actorSubjects.length === 0;
  if (actor.name !== undefined) committed('actor.name', actor.name, actorSubjects, actorIsIdentity ? actor.name.trim().toLowerCase() : undefined);
  if (actor.email !== undefined) committed('actor.email', actor.email, actorSubjects, actor.email.trim().toLowerCase());

  const recordSubjects: TDataSubject[] = event.subject
    ? [event.subject.type === 'user' ? { kind: 'user', id: event.subject.id } : { kind: 'record', type: event.subject.type, id: event.subject.id }]
    : [];
  if (event.subject?.name !== undefined) committed('subject.name', event.subject.name, recordSubjects);
  const changeValues: ChangeValues[] = event.changes.map((change, index) => {
    const values: ChangeValues = {};
    if (change.redacted) return values;
    for (const side of ['before', 'after'] as const) {
      const value = change[side];
      if (value === undefined) continue;
      values[side] = committed(`changes.${index}.${side}`, value, recordSubjects, typeof value === 'string' && EMAIL.test(value.trim()) ? value.trim().toLowerCase() : undefined);
    }
    return values;
  });
  const metadataMarks = event.metadata ? (options.personalMetadata ?? []).filter((mark) => event.metadata![mark.key] !== undefined) : [];
  for (const mark of metadataMarks) {
    const value = event.metadata![mark.key];
    const subjects = mark.kind === 'subject' ? recordSubjects : mark.kind === 'actor' ? actorSubjects : actorIsIdentity ? [] : actorSubjects;
    committed(`metadata.${mark.key}`, value, subjects, mark.kind === 'identity' && typeof value === 'string' ? value.trim().toLowerCase() : undefined);
  }

  const personal: TPersonalValue[] = [];
  const commitments = new Map<string, string>();
  // What textOf would answer for each value (strings as they are, other JSON as its text), without a search and a parse per reference.
  const texts = new Map<string, string>();
  for (const value of pending) {
    const salt = newSalt();
    const canonical = canonicalOf(value);
    value.commitment = commitCanonical(canonical, salt);
    commitments.set(value.key, value.commitment);
    // Stored as the host gave it (member order included); the commitment is over the canonical form.
    const text = value.value !== null && typeof value.value === 'object' ? JSON.stringify(value.value) : canonical;
    const entry: TPersonalValue = { key: value.key, value: text, salt, subjects: value.subjects };
    if (value.identity !== undefined) entry.identity = value.identity;
    personal.push(entry);
    texts.set(value.key, typeof value.value === 'string' ? value.value : text);
  }

  const templateValues: TemplateValue[] = pending.filter((value) => typeof value.value === 'string').map((value) => ({ key: value.key, text: value.value as string }));
  const hashed = hashedFields(event, actorId, { commitments, changeValues }, templateValues, metadataMarks);
  const dataSubjects = new Set<string>();
  for (const value of pending) for (const subject of value.subjects) dataSubjects.add(subject.kind === 'user' ? `user:${subject.id}` : `record:${subject.type}:${subject.id}`);
  return { _id: objectId(event.id), ...hashed, personal, search: searchPart(hashed, (key) => texts.get(key)), dataSubjects: [...dataSubjects] };
}

function hashedFields(
  event: TAuditEvent,
  actorId: string,
  { commitments, changeValues }: { commitments: Map<string, string>; changeValues: ChangeValues[] },
  texts: TemplateValue[],
  metadataMarks: PersonalMetadataMark[],
): Omit<THashedPart, 'id'> {
  const { actor, subject } = event;
  const hashed: Omit<THashedPart, 'id'> = {
    v: STORED_FORM_VERSION,
    tenantId: event.tenantId,
    occurredAt: event.occurredAt,
    receivedAt: event.receivedAt,
    actor: defined({ id: actorId, type: actor.type, role: actor.role, name: commitments.get('actor.name'), email: commitments.get('actor.email') }),
    action: event.action,
    description: toTemplate(event.description, texts),
    changes: event.changes.map((change, index) => (change.redacted ? { field: change.field, redacted: true } : defined({ field: change.field, before: changeValues[index]!.before?.commitment, after: changeValues[index]!.after?.commitment }))),
    editCount: event.editCount,
    status: event.status,
    context: event.context,
  };
  if (subject) hashed.subject = defined({ type: subject.type, id: subject.id, name: commitments.get('subject.name') });
  if (event.failureReason !== undefined) hashed.failureReason = toTemplate(event.failureReason, texts);
  if (event.integration) hashed.integration = event.integration;
  if (event.affected) hashed.affected = event.affected;
  if (event.metadata) {
    const metadata: Record<string, unknown> = { ...event.metadata };
    for (const mark of metadataMarks) metadata[mark.key] = commitments.get(`metadata.${mark.key}`);
    hashed.metadata = JSON.stringify(metadata);
  }
  return hashed;
}

/** What search, facets and exports read; `textOf` answers undefined for an erased value. */
export function searchPart(hashed: Pick<THashedPart, 'description' | 'subject' | 'actor' | 'failureReason'>, textOf: (key: string) => string | undefined): TSearchPart {
  const search: TSearchPart = { description: renderTemplate(hashed.description, textOf) };
  if (hashed.subject?.name !== undefined) search.subjectName = textOf('subject.name') ?? ERASED_MARKER;
  if (hashed.actor.name !== undefined) search.actorName = textOf('actor.name') ?? ERASED_MARKER;
  return search;
}

/** The text of a personal value still held (strings as they are, other JSON as its text). */
export function textOf(personal: readonly TPersonalValue[], key: string): string | undefined {
  const entry = personal.find((candidate) => candidate.key === key);
  if (entry?.value === undefined) return undefined;
  const value = JSON.parse(entry.value) as unknown;
  return typeof value === 'string' ? value : entry.value;
}

/** A lone surrogate cannot be committed to (canonical-encoding.ts): it becomes U+FFFD, as BSON would make it. */
function canonicalOf(pending: PendingValue): string {
  try {
    return canonicalJson(pending.value);
  } catch (error) {
    if (!(error instanceof CanonicalEncodingError)) throw error;
    pending.value = wellFormed(pending.value);
    return canonicalJson(pending.value);
  }
}

function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return toWellFormed(value);
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, member]) => [toWellFormed(key), wellFormed(member)]));
  return value;
}

const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// String.prototype.toWellFormed is ES2024; the package targets ES2023.
const toWellFormed = (text: string): string => text.replace(LONE_SURROGATES, '\uFFFD');

/** A copy without `undefined` members (`delete` turned each object into a slow dictionary: 6 % of encodeEvent). */
const defined = withoutUndefined;
