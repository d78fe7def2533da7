import { z } from 'zod';
import type { EventDocumentV2 } from './encode-event';
import { searchPart } from './encode-event';
import { ERASED_MARKER } from './description-template';
import type { TDataSubject, TPersonalValue, TSearchPart } from './stored-event.schema';
import { ZDataSubject } from './stored-event.schema';

/**
 * Pure: what an erasure does to one stored event. A personal value is erased when it belongs to the
 * data subject, when it is one of the identities in an identity field (an e-mail, a sign-in name;
 * case-insensitive), or when its text contains one of the e-mail identities as a whole address (a
 * discussion titled "Call erin@example.com back"). Erasing removes the value, its salt and its
 * identity; the entry keeps its key and gets `erasedAt`. The hashed part is never touched, so the
 * event's hash still verifies; the search part is rendered again from what is left.
 */
export const ZErasureRequest = z.object({
  subject: ZDataSubject,
  /** Identities of the person (current and former e-mail addresses, sign-in names). */
  identities: z.array(z.string().trim().min(3).max(320)).max(100).default([]),
});
export type TErasureRequest = z.input<typeof ZErasureRequest>;

export interface ErasureMatcher {
  subjectKey: string;
  identities: ReadonlySet<string>;
  emails: readonly string[];
}

export function erasureMatcher(request: { subject: TDataSubject; identities: readonly string[] }): ErasureMatcher {
  const identities = new Set(request.identities.map((identity) => identity.trim().toLowerCase()));
  return { subjectKey: dataSubjectKey(request.subject), identities, emails: [...identities].filter((identity) => identity.includes('@')) };
}

/** A data subject as one string: what `dataSubjects` (the stored event's index of its subjects) holds. */
export function dataSubjectKey(subject: TDataSubject): string {
  return subject.kind === 'user' ? `user:${subject.id}` : `record:${subject.type}:${subject.id}`;
}

// The marker an erasure left in form v1 (and the data.erased event's own subject name) is nobody's data.
const MARKER_TEXT = JSON.stringify(ERASED_MARKER);

export function matchesErasure(entry: TPersonalValue, matcher: ErasureMatcher): boolean {
  if (entry.value === undefined || entry.value === MARKER_TEXT) return false;
  if (entry.subjects.some((subject) => dataSubjectKey(subject) === matcher.subjectKey)) return true;
  if (entry.identity !== undefined && matcher.identities.has(entry.identity)) return true;
  if (matcher.emails.length === 0) return false;
  const text = entry.value.toLowerCase();
  return matcher.emails.some((email) => containsAddress(text, email));
}

export interface ErasedEvent {
  personal: TPersonalValue[];
  search: TSearchPart;
  /** The keys of the values erased, e.g. ['actor.email', 'subject.name']. */
  erasedKeys: string[];
}

/** The event's personal and search parts after the erasure; undefined when nothing in it matches. */
export function eraseFromEvent(document: Pick<EventDocumentV2, 'personal' | 'description' | 'subject' | 'actor' | 'failureReason'>, matcher: ErasureMatcher, now: Date): ErasedEvent | undefined {
  const erasedKeys: string[] = [];
  const personal = document.personal.map((entry) => {
    if (!matchesErasure(entry, matcher)) return entry;
    erasedKeys.push(entry.key);
    return { key: entry.key, subjects: entry.subjects, erasedAt: now };
  });
  if (erasedKeys.length === 0) return undefined;
  const textOf = (key: string): string | undefined => {
    const entry = personal.find((candidate) => candidate.key === key);
    if (entry?.value === undefined) return undefined;
    const value = JSON.parse(entry.value) as unknown;
    return typeof value === 'string' ? value : entry.value;
  };
  return { personal, search: searchPart(document, textOf), erasedKeys };
}

const ADDRESS_CHARACTER = /[a-z0-9._%+\-@]/;

/** Whether `text` (lower case) holds `email` (lower case) as a whole address, not inside a longer one. */
export function containsAddress(text: string, email: string): boolean {
  for (let start = text.indexOf(email); start !== -1; start = text.indexOf(email, start + 1)) {
    const before = text[start - 1];
    const after = text[start + email.length];
    if ((before === undefined || !ADDRESS_CHARACTER.test(before)) && (after === undefined || !ADDRESS_CHARACTER.test(after))) return true;
  }
  return false;
}

/** Counts an erased value under its field: `changes.3.after` counts as `changes`. */
export function countErasedKey(values: Record<string, number>, key: string): void {
  const field = key.startsWith('changes.') ? 'changes' : key;
  values[field] = (values[field] ?? 0) + 1;
}
