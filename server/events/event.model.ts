/**
 * Events are written and read through the host's own driver (see event.document.ts for the stored
 * form), not through a mongoose model: a model built with one mongoose major cannot be used on a
 * connection of the other.
 */
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
