import type { ObjectId } from 'mongodb';
import { withoutUndefined } from '../common/without-undefined';
import { BUILT_IN_ACTIONS } from './action-catalog';
import type { TAuditEvent, TChange } from './event.schema';
import { decodeEvent } from './stored-form/decode-event';
import { encodeEvent, type EncodeOptions, type EventDocumentV2 } from './stored-form/encode-event';
import { personalMetadataOf } from './stored-form/personal-marks';

/**
 * How an event is stored: the stored form v2 (stored-form/): a hashed part that holds commitments
 * instead of personal values, the personal part (values, salts, data subjects) and the search part.
 * Free-form values (change values, metadata) are kept as JSON text: MongoDB-protocol servers differ
 * on keys with `.` or a leading `$` and on nested arrays, and an audit log must store whatever a host
 * hands it, byte for byte.
 */
export type EventDocument = EventDocumentV2 & {
  /**
   * Whole hours since the epoch of `occurredAt`: what the activity chart groups on, since FerretDB
   * v1 has no `$dateTrunc`. Derived, so it sits outside the hashed part; events stored before it
   * existed lack it (the chart counts them apart).
   */
  hour?: number;
};

export const MS_PER_HOUR = 3_600_000;
export const hourOf = (date: Date) => Math.floor(date.getTime() / MS_PER_HOUR);

/** Version 1 (before issue 15): personal values in place. Read, and converted by the migration. */
export interface StoredChangeV1 {
  field: string;
  before?: string;
  after?: string;
  redacted?: boolean;
}
export type LegacyEventDocument = Omit<TAuditEvent, 'id' | 'changes' | 'metadata'> & {
  _id: ObjectId;
  changes: StoredChangeV1[];
  metadata?: string;
  v?: 1;
};

const BUILT_IN_MARKS = new Map(Object.entries(BUILT_IN_ACTIONS).map(([name, definition]) => [name, personalMetadataOf(definition.metadata)]));

/** `objectId` is the host driver's (server/db/host-database.ts): the document goes through the host's connection. */
export function toEventDocument(event: TAuditEvent, objectId: (hex: string) => ObjectId, options: EncodeOptions = {}): EventDocument {
  const document: EventDocument = encodeEvent(event, objectId, { ...options, personalMetadata: options.personalMetadata ?? BUILT_IN_MARKS.get(event.action) });
  document.hour = hourOf(event.occurredAt);
  return document;
}

export function fromEventDocument(document: EventDocument | LegacyEventDocument): TAuditEvent {
  return document.v === 2 ? decodeEvent(document) : fromLegacyDocument(document);
}

export function isLegacyDocument(document: EventDocument | LegacyEventDocument): document is LegacyEventDocument {
  return document.v !== 2;
}

function fromLegacyDocument(document: LegacyEventDocument): TAuditEvent {
  const { _id, changes, metadata, v: _version, ...rest } = document;
  return withoutUndefined({
    ...rest,
    id: _id.toHexString(),
    changes: (changes ?? []).map(decodeLegacyChange),
    metadata: metadata === undefined ? undefined : (JSON.parse(metadata) as TAuditEvent['metadata']),
  });
}

function decodeLegacyChange(stored: StoredChangeV1): TChange {
  const change: TChange = { field: stored.field };
  if (stored.redacted) change.redacted = true;
  if (stored.before !== undefined) change.before = JSON.parse(stored.before) as TChange['before'];
  if (stored.after !== undefined) change.after = JSON.parse(stored.after) as TChange['after'];
  return change;
}
