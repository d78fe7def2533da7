import { Schema, type Connection, type Model } from 'mongoose';
import type { EventDocument } from './event.document';

export const AUDIT_EVENTS_COLLECTION = 'audit_events';
/** Collections owned by the audit log; the capture plugin never records writes to them. */
export const AUDIT_LOG_COLLECTION_PREFIX = 'audit_';

/**
 * The indexes the queries need, tenant first, equality → sort → range. Every list query sorts by
 * (occurredAt, _id) descending, so each index ends with those two keys. Declared as data so a unit
 * test can prove every query shape the API builds is served by one of them.
 */
export const EVENT_INDEXES = [
  { name: 'tenant_time', key: { tenantId: 1, occurredAt: -1, _id: -1 } },
  { name: 'tenant_actor_time', key: { tenantId: 1, 'actor.id': 1, occurredAt: -1, _id: -1 } },
  { name: 'tenant_action_time', key: { tenantId: 1, action: 1, occurredAt: -1, _id: -1 } },
  { name: 'tenant_subject_time', key: { tenantId: 1, 'subject.type': 1, 'subject.id': 1, occurredAt: -1, _id: -1 } },
] as const satisfies ReadonlyArray<{ name: string; key: Record<string, 1 | -1> }>;

const actorSchema = new Schema(
  { id: String, name: String, email: String, type: String, role: String },
  { _id: false },
);
const subjectSchema = new Schema({ type: String, id: String, name: String }, { _id: false });
const changeSchema = new Schema({ field: String, before: String, after: String, redacted: Boolean }, { _id: false });
const contextSchema = new Schema(
  { ip: String, userAgent: String, deviceType: String, browser: String, os: String, sessionId: String, requestId: String },
  { _id: false },
);
const integrationSchema = new Schema({ provider: String, externalId: String, detail: String }, { _id: false });
const affectedSchema = new Schema({ count: Number, ids: [String], listId: String }, { _id: false });

/** Checked against the zod schema by test/unit/event-model.test.ts. */
export const eventMongooseSchema = new Schema<EventDocument>(
  {
    tenantId: { type: String, required: true },
    occurredAt: { type: Date, required: true },
    receivedAt: { type: Date, required: true },
    actor: { type: actorSchema, required: true },
    action: { type: String, required: true },
    subject: subjectSchema,
    description: { type: String, required: true },
    changes: [changeSchema],
    editCount: { type: Number, required: true },
    status: { type: String, required: true },
    failureReason: String,
    context: contextSchema,
    integration: integrationSchema,
    affected: affectedSchema,
    metadata: String,
    v: Number,
  },
  // The audit trail never audits itself: the mongoose plugin skips collections named AUDIT_LOG_COLLECTION_PREFIX*.
  { collection: AUDIT_EVENTS_COLLECTION, autoIndex: false, versionKey: false, strict: 'throw' },
);

export type EventModel = Model<EventDocument>;

export function getEventModel(connection: Connection): EventModel {
  return (connection.models.AuditEvent as EventModel | undefined) ?? connection.model<EventDocument>('AuditEvent', eventMongooseSchema);
}
