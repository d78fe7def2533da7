import { ObjectId } from 'mongodb';
import type { TAuditEvent } from '../../server/events/event.schema';

/**
 * How version 0.2 stored an event (form v1, `git show 2463dc5^:server/events/event.document.ts`):
 * personal values in place, change values and metadata as JSON text. What the migration to the
 * stored form v2 starts from, in tests and in bench/migrate.bench.ts.
 */
export function toV1Document(event: TAuditEvent) {
  const { id, changes, metadata, ...rest } = event;
  return {
    ...rest,
    _id: new ObjectId(id),
    changes: changes.map((change) =>
      change.redacted
        ? { field: change.field, redacted: true }
        : { field: change.field, ...(change.before !== undefined ? { before: JSON.stringify(change.before) } : {}), ...(change.after !== undefined ? { after: JSON.stringify(change.after) } : {}) },
    ),
    ...(metadata === undefined ? {} : { metadata: JSON.stringify(metadata) }),
    v: 1 as const,
  };
}
