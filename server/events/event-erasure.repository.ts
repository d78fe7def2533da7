import type { Filter } from 'mongodb';
import type { HostDatabase } from '../db/host-database';
import type { EventDocument } from './event.document';
import { AUDIT_EVENTS_COLLECTION } from './event.model';
import { withoutUndefined } from '../common/without-undefined';

/**
 * GDPR erasure in the log itself: earlier events keep their facts (who did what, when) but an
 * erased person's personal data (name, email…) is replaced by a marker wherever it appears.
 * Rows are never deleted: the trail stays complete, only the person becomes unidentifiable.
 */
const PLAIN_TEXT_FIELDS = ['description', 'subject.name', 'actor.name', 'actor.email', 'failureReason', 'integration.detail'] as const;
// Stored as JSON text (event.document.ts): a value appears there JSON-escaped.
const JSON_TEXT_FIELDS = ['changes.before', 'changes.after', 'metadata'] as const;

export function createEventErasureRepository(db: HostDatabase) {
  const collection = () => db.collection<EventDocument>(AUDIT_EVENTS_COLLECTION);

  return {
    /**
     * Every value the given fields of one record ever had, as its own events recorded them: an
     * e-mail changed last year is personal data too, though the record no longer holds it.
     */
    async formerValuesOf(tenantId: string, subject: { type: string; id: string }, fields: readonly string[]): Promise<string[]> {
      const values = new Set<string>();
      const cursor = (await collection()).find({ tenantId, 'subject.type': subject.type, 'subject.id': subject.id }, { projection: { changes: 1, 'subject.name': 1 } });
      for await (const event of cursor) {
        if (event.subject?.name) values.add(event.subject.name);
        for (const change of event.changes ?? []) {
          if (!fields.includes(change.field)) continue;
          for (const stored of [change.before, change.after]) {
            const value = stored === undefined ? undefined : (JSON.parse(stored) as unknown);
            if (typeof value === 'string') values.add(value);
          }
        }
      }
      return [...values];
    },

    /** Replaces every occurrence of the values in the tenant's events; returns how many events changed. */
    async pseudonymise(tenantId: string, personalValues: readonly string[], marker: string): Promise<number> {
      const values = [...new Set(personalValues.map((value) => value.trim()).filter((value) => value.length >= 2))];
      if (values.length === 0) return 0;
      const plain = alternation(values);
      const json = alternation(values.map((value) => JSON.stringify(value).slice(1, -1)));
      const filter = {
        tenantId,
        $or: [
          ...PLAIN_TEXT_FIELDS.map((field) => ({ [field]: { $regex: plain.source, $options: 'i' } })),
          ...JSON_TEXT_FIELDS.map((field) => ({ [field]: { $regex: json.source, $options: 'i' } })),
        ],
      } as Filter<EventDocument>;

      let changed = 0;
      const events = await collection();
      for await (const event of events.find(filter)) {
        const replace = (text: string | undefined, pattern: RegExp) => text?.replace(pattern, marker);
        const update: Record<string, unknown> = {
          description: replace(event.description, plain),
          'subject.name': replace(event.subject?.name, plain),
          'actor.name': replace(event.actor.name, plain),
          'actor.email': replace(event.actor.email, plain),
          failureReason: replace(event.failureReason, plain),
          'integration.detail': replace(event.integration?.detail, plain),
          metadata: replace(event.metadata, json),
          changes: event.changes.map((change) => ({ ...change, before: replace(change.before, json), after: replace(change.after, json) })),
        };
        const set = withoutUndefined(update);
        set.changes = (set.changes as EventDocument['changes']).map((change) => withoutUndefined(change));
        await events.updateOne({ _id: event._id, tenantId }, { $set: set });
        changed++;
      }
      return changed;
    },
  };
}

/** One case-insensitive pattern matching any of the values literally. */
function alternation(values: readonly string[]): RegExp {
  return new RegExp(values.map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');
}

export type EventErasureRepository = ReturnType<typeof createEventErasureRepository>;
