import { ObjectId } from 'mongodb';
import type { TAuditCaller } from '../../server/access';
import { withoutUndefined } from '../../server/common/without-undefined';
import type { TAuditEvent } from '../../server/events';

export const admin = (tenantId: string, actorId = `admin-${tenantId}`): TAuditCaller => ({ tenantId, actorId, actorName: 'Ada Admin', role: 'admin' });
export const member = (tenantId: string): TAuditCaller => ({ tenantId, actorId: `member-${tenantId}`, actorName: 'Max Member', role: 'member' });

/** A complete stored event; `overrides` set what a test cares about. */
export function makeEvent(overrides: Partial<TAuditEvent> & { tenantId: string; occurredAt: Date }): TAuditEvent {
  return withoutUndefined({
    id: new ObjectId().toHexString(),
    receivedAt: overrides.occurredAt,
    actor: { id: 'user-1', name: 'User One', type: 'user' },
    action: 'record.updated',
    description: 'Updated a record',
    changes: [],
    editCount: 0,
    status: 'success',
    context: {},
    ...overrides,
  });
}

/** Newest first, ties broken by id: the order the API promises. */
export function newestFirst(events: TAuditEvent[]): TAuditEvent[] {
  return [...events].sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}
