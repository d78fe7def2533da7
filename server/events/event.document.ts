import type { ObjectId } from 'mongodb';
import { withoutUndefined } from '../common/without-undefined';
import type { TAuditEvent, TChange } from './event.schema';

/**
 * How an event is stored. Free-form values (change before/after, metadata) are kept as JSON text:
 * MongoDB-protocol servers differ on keys with `.` or a leading `$` and on nested arrays, and an
 * audit log must store whatever a host hands it, byte for byte.
 */
export interface StoredChange {
  field: string;
  before?: string;
  after?: string;
  redacted?: boolean;
}

export type EventDocument = Omit<TAuditEvent, 'id' | 'changes' | 'metadata'> & {
  _id: ObjectId;
  changes: StoredChange[];
  metadata?: string;
  /**
   * Whole hours since the epoch of `occurredAt`: what the activity chart groups on, since FerretDB
   * v1 has no `$dateTrunc`. Derived, so it sits outside anything hashed; events stored before it
   * existed lack it (the chart counts them apart).
   */
  hour?: number;
  /** Document format version, for migrations. */
  v: 1;
};

export const MS_PER_HOUR = 3_600_000;
export const hourOf = (date: Date) => Math.floor(date.getTime() / MS_PER_HOUR);

export function encodeChange(change: TChange): StoredChange {
  const stored: StoredChange = { field: change.field };
  if (change.redacted) stored.redacted = true;
  else {
    if (change.before !== undefined) stored.before = JSON.stringify(change.before);
    if (change.after !== undefined) stored.after = JSON.stringify(change.after);
  }
  return stored;
}

export function decodeChange(stored: StoredChange): TChange {
  const change: TChange = { field: stored.field };
  if (stored.redacted) change.redacted = true;
  if (stored.before !== undefined) change.before = JSON.parse(stored.before) as TChange['before'];
  if (stored.after !== undefined) change.after = JSON.parse(stored.after) as TChange['after'];
  return change;
}

/** `objectId` is the host driver's (server/db/host-database.ts): the document goes through the host's connection. */
export function toEventDocument(event: TAuditEvent, objectId: (hex: string) => ObjectId): EventDocument {
  const { id, changes, metadata, ...rest } = event;
  return withoutUndefined({
    ...rest,
    _id: objectId(id),
    changes: changes.map(encodeChange),
    metadata: metadata === undefined ? undefined : JSON.stringify(metadata),
    hour: hourOf(rest.occurredAt),
    v: 1 as const,
  });
}

export function fromEventDocument(document: EventDocument): TAuditEvent {
  const { _id, changes, metadata, hour: _hour, v: _version, ...rest } = document;
  return withoutUndefined({
    ...rest,
    id: _id.toHexString(),
    changes: (changes ?? []).map(decodeChange),
    metadata: metadata === undefined ? undefined : (JSON.parse(metadata) as TAuditEvent['metadata']),
  });
}
