import { createActionCatalog } from '../../server/events/action-catalog';
import { buildAuditEvent } from '../../server/events/event-recorder';
import { type TAuditEventInput, boundedAffected } from '../../server/events/event.schema';
import {
  bulkEditedEvent,
  commentCreatedEvent,
  dataErasedEvent,
  invoicePostedEvent,
  listExportedEvent,
  loggedOutEvent,
  loginFailedEvent,
  loginSucceededEvent,
  recordViewedEvent,
} from '../../plugins/events/explicit-events';
import { multiRecordEvent, subjectTypeOf } from '../../plugins/mongoose/change-events';

const catalog = createActionCatalog();
const scope = { tenantId: 't1', actor: { id: 'u1', name: 'Ann' }, request: {} };
const build = (event: TAuditEventInput) => buildAuditEvent(event, { catalog, now: new Date(0), id: '0'.repeat(24), scope });
const actor = { id: 'u1', name: 'Ann', type: 'user' as const };
const erasureOf = (events: number) => ({ events, values: { 'subject.name': events }, spilledEvents: 0, exportsRemoved: 0, exportRecords: 0, affectedLists: 0 });

describe('explicit event helpers', () => {
  it.each([
    ['record viewed', recordViewedEvent({ subject: { type: 'contact', id: 'c1', name: 'Ada' } })],
    ['comment created', commentCreatedEvent({ discussion: { type: 'discussion', id: 'd1' }, commentId: 'k1' })],
    ['data erased', dataErasedEvent({ subject: { type: 'contact', id: 'c1' }, erasedFields: ['name'], erasure: erasureOf(2) })],
    ['invoice posted', invoicePostedEvent({ invoice: { id: 'i1', number: 'INV-1', amount: 10, currency: 'EUR' }, provider: 'xero', outcome: { ok: true, externalId: 'X-1' } })],
    ['invoice post failed', invoicePostedEvent({ invoice: { id: 'i1', number: 'INV-1', amount: 10, currency: 'EUR' }, provider: 'quickbooks', outcome: { ok: false, reason: 'down' } })],
    ['login', loginSucceededEvent({ tenantId: 't1', actor, sessionId: 's1' })],
    ['failed login', loginFailedEvent({ tenantId: 't1', attemptedIdentity: 'who@x.test', reason: 'No such user' })],
    ['logout', loggedOutEvent({ tenantId: 't1', actor, sessionId: 's1' })],
    ['bulk edit', bulkEditedEvent({ subjectType: 'contact', ids: ['a', 'b'], fields: ['status'] })],
    ['list export', listExportedEvent({ list: 'contacts', rowCount: 3, format: 'csv' })],
  ])('builds a %s event the catalog accepts', (_name, event) => {
    expect(() => build(event)).not.toThrow();
  });

  it('records a failed invoice post with status failure and the provider\'s reason', () => {
    const event = build(invoicePostedEvent({ invoice: { id: 'i1', number: 'INV-1', amount: 10, currency: 'EUR' }, provider: 'quickbooks', outcome: { ok: false, reason: 'Token expired' } }));
    expect(event).toMatchObject({ status: 'failure', failureReason: 'Token expired', integration: { provider: 'quickbooks', detail: 'Token expired' } });
  });

  it('names the erased fields but carries no values', () => {
    const event = dataErasedEvent({ subject: { type: 'contact', id: 'c1' }, erasedFields: ['name', 'email'], erasure: erasureOf(4) });
    expect(event.changes).toEqual([{ field: 'name', redacted: true }, { field: 'email', redacted: true }]);
    expect(event.metadata).toEqual({ erasedFields: ['name', 'email'], relatedEventsPseudonymised: 4, erasedValues: { 'subject.name': 4 }, spilledEvents: 0, exportsRemoved: 0 });
  });
});

describe('multi-record events', () => {
  it('keeps at most 100 ids in the event and points to the full list', () => {
    const ids = Array.from({ length: 250 }, (_, index) => `id${index}`);
    expect(boundedAffected(ids, 'list1')).toEqual({ count: 250, ids: ids.slice(0, 100), listId: 'list1' });
  });

  it('gives one bulk-edit event whose number of edits is records times fields', () => {
    const rules = { subjectType: 'contact', displayName: () => undefined, softDeleteField: 'removed' };
    const event = multiRecordEvent(rules, 'edited', { count: 10_000, ids: [] }, [{ field: 'status' }, { field: 'owner' }]);
    expect(event).toMatchObject({ action: 'records.bulk_edited', editCount: 20_000, description: 'Bulk-edited 10000 contact records: status, owner' });
  });

  it('turns model names into snake-case subject types', () => {
    expect(subjectTypeOf('OpportunityLineItem')).toBe('opportunity_line_item');
  });
});
