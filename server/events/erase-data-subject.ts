import type { EventErasureRepository } from './event-erasure.repository';
import type { EventDocument } from './event.document';
import type { TAuditEvent } from './event.schema';
import { countErasedKey, eraseFromEvent, erasureMatcher, ZErasureRequest, type TErasureRequest } from './stored-form/erase-values';
import { AuditEventValidationError } from './event.schema';
import { STORED_FORM_VERSION } from './stored-form/stored-event.schema';

/** The person an erasure is about, as the other slices see them: user ids and e-mail addresses (lower case). */
export interface ErasedPerson {
  userIds: readonly string[];
  emails: readonly string[];
}

/** What erasure needs beyond the stored events; each port is defined here, by its consumer. */
export interface EraseDataSubjectDeps {
  erasure: EventErasureRepository;
  /** Writes what is queued (spilled events included, while MongoDB answers). */
  flush(): Promise<void>;
  /** A full pass of the migration to the stored form v2 (marker or not): erasure reads only that form. */
  migrated(): Promise<unknown>;
  /** The recorder's spill store: events not yet in MongoDB are scrubbed where they wait. */
  spill?: { rewrite(transform: (document: EventDocument) => EventDocument | undefined): Promise<number> };
  /** The exports slice: files that held erased events are removed, and records stop naming the person. */
  exports?: {
    removeFilesHolding(tenantId: string, erasedEvents: readonly TAuditEvent[]): Promise<number>;
    eraseNamesIn(tenantId: string, person: ErasedPerson): Promise<number>;
  };
  clock: () => Date;
}

export interface DataSubjectErasure {
  /** Events of the tenant whose personal values were erased (stored and spilled). */
  events: number;
  /** Erased values by field (`actor.email`, `subject.name`, `changes`…): counts only. */
  values: Record<string, number>;
  spilledEvents: number;
  exportsRemoved: number;
  /** Export records that named the person (as requester or in their search text). */
  exportRecords: number;
  affectedLists: number;
}

/**
 * erase(subject, identities): every personal value linked to the data subject or equal to one of its
 * identities, in every stored and spilled event, affected-record list and export file of the tenant.
 * Idempotent: a second run finds nothing left to erase and answers zeros.
 */
export async function eraseDataSubject(deps: EraseDataSubjectDeps, tenantId: string, input: TErasureRequest): Promise<DataSubjectErasure> {
  const parsed = ZErasureRequest.safeParse(input);
  if (!parsed.success) throw AuditEventValidationError.fromZod(parsed.error);
  // Queued events first: the flush waits out a database outage, the migration pass would fail in one.
  await deps.flush();
  await deps.migrated();
  const given = erasureMatcher(parsed.data);
  const former = await deps.erasure.identitiesOf(tenantId, given.subjectKey);
  const matcher = erasureMatcher({ subject: parsed.data.subject, identities: [...given.identities, ...former] });
  const now = deps.clock();
  const stored = await deps.erasure.erase(tenantId, matcher, now);
  // An event is counted once: a durable process's write-ahead log still holds events it has stored
  // until their segment is settled, and those copies are scrubbed too, but not counted again.
  const counted = new Set(stored.before.map((event) => event.id));
  let spilledEvents = 0;
  if (deps.spill) {
    await deps.spill.rewrite((document) => {
      if (document.tenantId !== tenantId || Number(document.v) !== STORED_FORM_VERSION) return document;
      const erased = eraseFromEvent(document, matcher, now);
      if (!erased) return document;
      const id = document._id.toHexString();
      if (!counted.has(id)) {
        counted.add(id);
        spilledEvents++;
        for (const key of erased.erasedKeys) countErasedKey(stored.values, key);
      }
      return { ...document, personal: erased.personal, search: erased.search };
    });
  }
  // Events this process took off the spill while the passes above ran were in neither place: they are
  // in its queue now, so write them and erase once more (a pass over nothing left to erase finds none).
  await deps.flush();
  const late = await deps.erasure.erase(tenantId, matcher, now);
  const lateOnly = late.before.filter((candidate) => !counted.has(candidate.id));
  stored.before.push(...lateOnly);
  stored.events += lateOnly.length;
  // Values by field come per pass; a late event already counted as spilled (its queued copy written
  // unscrubbed) is the one case where they would count twice, so they are added only without one.
  if (lateOnly.length === late.before.length) for (const [key, count] of Object.entries(late.values)) stored.values[key] = (stored.values[key] ?? 0) + count;
  stored.affectedLists += late.affectedLists;
  const exportsRemoved = deps.exports ? await deps.exports.removeFilesHolding(tenantId, stored.before) : 0;
  const userIds = parsed.data.subject.kind === 'user' ? [parsed.data.subject.id] : [];
  const exportRecords = deps.exports ? await deps.exports.eraseNamesIn(tenantId, { userIds, emails: matcher.emails }) : 0;
  return { events: stored.events + spilledEvents, values: stored.values, spilledEvents, exportsRemoved, exportRecords, affectedLists: stored.affectedLists };
}
