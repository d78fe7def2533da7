import type { AnyBulkWriteOperation, Filter } from 'mongodb';
import type { HostDatabase } from '../db/host-database';
import { AFFECTED_RECORDS_COLLECTION } from './affected-records.repository';
import { escapeRegex } from './event-query';
import { fromEventDocument, type EventDocument } from './event.document';
import { AUDIT_EVENTS_COLLECTION } from './event.model';
import type { TAuditEvent } from './event.schema';
import { countErasedKey, dataSubjectKey, eraseFromEvent, type ErasureMatcher } from './stored-form/erase-values';

export interface StoredErasure {
  /** Events whose personal part changed. */
  events: number;
  /** Values erased, by key kind (`actor.email`, `subject.name`, `changes`, `metadata.attemptedIdentity`…): counts, never values. */
  values: Record<string, number>;
  /** The changed events as they read before the erasure: what decides which export files held them. */
  before: TAuditEvent[];
  /** Affected-record lists from which an identity was removed. */
  affectedLists: number;
}

/**
 * GDPR erasure in the stored log: the personal part and the search part of the tenant's events are
 * rewritten; the hashed part (commitments, templates, every fact) is never in an update, so the
 * event's hash still verifies and who did what when stays readable.
 */
export function createEventErasureRepository(db: HostDatabase) {
  const collection = () => db.collection<EventDocument>(AUDIT_EVENTS_COLLECTION);

  return {
    /** The identities (e-mail addresses, old ones included) the subject's own values held: erased wherever they appear. */
    async identitiesOf(tenantId: string, subjectKey: string): Promise<string[]> {
      const identities = new Set<string>();
      for await (const document of (await collection()).find({ tenantId, dataSubjects: subjectKey }, { projection: { personal: 1 } })) {
        for (const entry of document.personal ?? []) {
          if (entry.identity !== undefined && entry.subjects.some((subject) => dataSubjectKey(subject) === subjectKey)) identities.add(entry.identity);
        }
      }
      return [...identities];
    },

    async erase(tenantId: string, matcher: ErasureMatcher, now: Date): Promise<StoredErasure> {
      const result: StoredErasure = { events: 0, values: {}, before: [], affectedLists: 0 };
      const events = await collection();
      const updates: AnyBulkWriteOperation<EventDocument>[] = [];
      for await (const document of events.find(candidatesOf(tenantId, matcher))) {
        const erased = eraseFromEvent(document, matcher, now);
        if (!erased) continue;
        result.before.push(fromEventDocument(document));
        for (const key of erased.erasedKeys) countErasedKey(result.values, key);
        updates.push({ updateOne: { filter: { _id: document._id, tenantId }, update: { $set: { personal: erased.personal, search: erased.search } } } });
        if (updates.length >= 200) await events.bulkWrite(updates.splice(0), { ordered: false });
      }
      if (updates.length > 0) await events.bulkWrite(updates, { ordered: false });
      result.events = result.before.length;
      result.affectedLists = await eraseFromAffectedLists(tenantId, matcher);
      return result;
    },
  };

  /** An id in a full affected-record list that is one of the identities (a user known by e-mail) goes too. */
  async function eraseFromAffectedLists(tenantId: string, matcher: ErasureMatcher): Promise<number> {
    if (matcher.identities.size === 0) return 0;
    const chunks = await db.collection<{ tenantId: string; ids: string[] }>(AFFECTED_RECORDS_COLLECTION);
    let changed = 0;
    for await (const chunk of chunks.find({ tenantId })) {
      const ids = chunk.ids.filter((id) => !matcher.identities.has(id.trim().toLowerCase()));
      if (ids.length === chunk.ids.length) continue;
      await chunks.updateOne({ _id: chunk._id, tenantId }, { $set: { ids } });
      changed++;
    }
    return changed;
  }
}

/** A superset of the events to change (the pure eraseFromEvent decides): the subject, an identity, or an e-mail in a text. */
function candidatesOf(tenantId: string, matcher: ErasureMatcher): Filter<EventDocument> {
  const any: Filter<EventDocument>[] = [{ dataSubjects: matcher.subjectKey }];
  if (matcher.identities.size > 0) any.push({ 'personal.identity': { $in: [...matcher.identities] } } as Filter<EventDocument>);
  for (const email of matcher.emails) any.push({ 'personal.value': { $regex: escapeRegex(email), $options: 'i' } } as Filter<EventDocument>);
  return { tenantId, $or: any } as Filter<EventDocument>;
}

export type EventErasureRepository = ReturnType<typeof createEventErasureRepository>;
