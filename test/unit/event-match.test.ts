import { ObjectId } from 'mongodb';
import { ZEventFiltersInput, type TEventFiltersInput } from '../../server/events/event-filters.schema';
import { eventMatchesFilters } from '../../server/events/event-match';
import type { TAuditEvent } from '../../server/events/event.schema';

const at = new Date('2026-05-04T10:00:00.000Z');

function event(overrides: Partial<TAuditEvent> = {}): TAuditEvent {
  return {
    id: new ObjectId().toHexString(),
    tenantId: 'acme',
    occurredAt: at,
    receivedAt: at,
    actor: { id: 'u-alice', name: 'Alice Admin', type: 'user' },
    action: 'record.updated',
    subject: { type: 'contact', id: 'c-1', name: 'Jane Doe' },
    description: 'Updated contact Jane Doe (2 fields)',
    changes: [],
    editCount: 2,
    status: 'success',
    context: { ip: '203.0.113.7', sessionId: 'sess-1' },
    ...overrides,
  };
}

/** Filters as the procedure sees them: parsed by the same schema as events.list. */
const matches = (candidate: TAuditEvent, filters: TEventFiltersInput) => eventMatchesFilters(candidate, ZEventFiltersInput.parse(filters));

describe('eventMatchesFilters (live events use the list query’s rules)', () => {
  it('leaves out only the viewer’s own reads of the log when hideOwnReads is set', () => {
    const ownRead = event({ action: 'audit_log.viewed', actor: { id: 'u-alice', type: 'user' } });
    const othersRead = event({ action: 'audit_log.viewed', actor: { id: 'u-bob', type: 'user' } });
    const filters = ZEventFiltersInput.parse({ hideOwnReads: true });
    expect(eventMatchesFilters(ownRead, filters, 'u-alice')).toBe(false);
    expect(eventMatchesFilters(othersRead, filters, 'u-alice')).toBe(true);
    expect(eventMatchesFilters(event(), filters, 'u-alice')).toBe(true);
    expect(eventMatchesFilters(ownRead, ZEventFiltersInput.parse({}), 'u-alice')).toBe(true);
  });

  it('matches every event when no filter is given', () => {
    expect(matches(event(), {})).toBe(true);
  });

  it('keeps events of any listed actor and drops the others', () => {
    expect(matches(event(), { actorIds: ['u-bob', 'u-alice'] })).toBe(true);
    expect(matches(event(), { actorIds: ['u-bob'] })).toBe(false);
  });

  it('keeps events of any listed action and drops the others', () => {
    expect(matches(event(), { actions: ['record.deleted', 'record.updated'] })).toBe(true);
    expect(matches(event(), { actions: ['record.deleted'] })).toBe(false);
  });

  it('filters on status', () => {
    expect(matches(event(), { status: 'success' })).toBe(true);
    expect(matches(event(), { status: 'failure' })).toBe(false);
  });

  it('filters on subject type and id, and never matches an event without a subject', () => {
    expect(matches(event(), { subjectType: 'contact' })).toBe(true);
    expect(matches(event(), { subjectType: 'contact', subjectId: 'c-1' })).toBe(true);
    expect(matches(event(), { subjectType: 'contact', subjectId: 'c-2' })).toBe(false);
    expect(matches(event(), { subjectType: 'company' })).toBe(false);
    expect(matches(event({ subject: undefined }), { subjectType: 'contact' })).toBe(false);
  });

  it('treats the date range as inclusive at both ends', () => {
    expect(matches(event(), { from: at, to: at })).toBe(true);
    expect(matches(event(), { from: new Date(at.getTime() + 1) })).toBe(false);
    expect(matches(event(), { to: new Date(at.getTime() - 1) })).toBe(false);
    expect(matches(event(), { from: '2026-05-04T11:00:00+02:00' })).toBe(true);
  });

  it('filters on IP address and session id exactly', () => {
    expect(matches(event(), { ip: '203.0.113.7', sessionId: 'sess-1' })).toBe(true);
    expect(matches(event(), { ip: '203.0.113.70' })).toBe(false);
    expect(matches(event(), { sessionId: 'sess' })).toBe(false);
  });

  it('finds the search text case-insensitively in the description or the subject name', () => {
    expect(matches(event(), { search: 'updated CONTACT' })).toBe(true);
    expect(matches(event({ description: 'Viewed a record' }), { search: 'jane' })).toBe(true);
    expect(matches(event(), { search: 'invoice' })).toBe(false);
  });

  it('trims the search text, as the list query does', () => {
    expect(matches(event(), { search: '  jane doe  ' })).toBe(true);
  });

  it('takes the search text literally, never as a pattern', () => {
    expect(matches(event(), { search: 'Jane.Doe' })).toBe(false);
    expect(matches(event({ description: 'Renamed to Jane.Doe (2 fields)' }), { search: 'Jane.Doe' })).toBe(true);
    expect(matches(event({ description: 'Cost (EUR) $5 [draft]*' }), { search: '(eur) $5 [draft]*' })).toBe(true);
  });

  it('does not search other fields such as the actor or the action', () => {
    expect(matches(event(), { search: 'Alice' })).toBe(false);
    expect(matches(event(), { search: 'record.updated' })).toBe(false);
  });

  it('requires every given filter to hold', () => {
    expect(matches(event(), { actorIds: ['u-alice'], actions: ['record.updated'], status: 'success', search: 'jane' })).toBe(true);
    expect(matches(event(), { actorIds: ['u-alice'], actions: ['record.updated'], status: 'failure', search: 'jane' })).toBe(false);
  });
});
