import { ObjectId } from 'mongodb';
import { ZEventFilters, type TEventFilters } from '../../server/events/event-filters.schema';
import { buildEventFilter, escapeRegex, EVENT_SORT, indexFor } from '../../server/events/event-query';
import { EVENT_INDEXES } from '../../server/events/event.model';

const filters = (input: unknown): TEventFilters => ZEventFilters.parse(input);

/** The equality keys of a filter: the fields an index must start with (after tenantId). */
function equalityKeys(filter: Record<string, unknown>): string[] {
  return Object.keys(filter).filter((key) => !key.startsWith('$') && key !== 'occurredAt');
}

describe('buildEventFilter', () => {
  it('leaves out the viewer’s own reads with hideOwnReads, and needs the viewer to do it', () => {
    expect(buildEventFilter('t', filters({ hideOwnReads: true }), undefined, undefined, 'u1')).toEqual({
      tenantId: 't',
      $and: [{ $or: [{ action: { $ne: 'audit_log.viewed' } }, { 'actor.id': { $ne: 'u1' } }] }],
    });
    expect(() => buildEventFilter('t', filters({ hideOwnReads: true }))).toThrow(/viewer/);
  });

  it('always scopes the query to the tenant', () => {
    expect(buildEventFilter('tenant-a', filters({}))).toEqual({ tenantId: 'tenant-a' });
  });

  it('turns each simple filter into an equality on its field', () => {
    const built = buildEventFilter('t', filters({ actorIds: ['u1'], actions: ['record.updated'], subjectType: 'contact', subjectId: 'c1', status: 'failure', ip: '10.0.0.1', sessionId: 's1' }));
    expect(built).toEqual({
      tenantId: 't',
      'actor.id': 'u1',
      action: 'record.updated',
      'subject.type': 'contact',
      'subject.id': 'c1',
      status: 'failure',
      'context.ip': '10.0.0.1',
      'context.sessionId': 's1',
    });
  });

  it('uses $in for several actors or actions, without duplicates', () => {
    const built = buildEventFilter('t', filters({ actorIds: ['u1', 'u2', 'u1'], actions: ['record.created', 'record.deleted'] }));
    expect(built['actor.id']).toEqual({ $in: ['u1', 'u2'] });
    expect(built.action).toEqual({ $in: ['record.created', 'record.deleted'] });
  });

  it('bounds occurredAt by from and to, both inclusive', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    const to = new Date('2026-02-01T00:00:00Z');
    expect(buildEventFilter('t', filters({ from, to })).occurredAt).toEqual({ $gte: from, $lte: to });
  });

  it('searches description and subject name case-insensitively with the text escaped', () => {
    const built = buildEventFilter('t', filters({ search: 'a.b(c)*' }));
    const pattern = { $regex: 'a\\.b\\(c\\)\\*', $options: 'i' };
    expect(built.$and).toEqual([{ $or: [{ 'search.description': pattern }, { 'search.subjectName': pattern }] }]);
  });

  it('adds the keyset condition after the search so both $or apply', () => {
    const id = new ObjectId().toHexString();
    const occurredAt = new Date('2026-03-01T00:00:00Z');
    const built = buildEventFilter('t', filters({ search: 'x' }), { occurredAt, id }, (hex) => new ObjectId(hex));
    expect(built.$and).toHaveLength(2);
    expect(built.$and).toContainEqual({ $or: [{ occurredAt: { $lt: occurredAt } }, { occurredAt, _id: { $lt: new ObjectId(id) } }] });
  });

  it('ignores a search that is only whitespace', () => {
    expect(buildEventFilter('t', filters({ search: '   ' }))).toEqual({ tenantId: 't' });
  });
});

describe('escapeRegex', () => {
  it('makes every regex metacharacter literal', () => {
    const hostile = '^(a+)+$|.*[x]{1,9}?\\';
    const escaped = escapeRegex(hostile);
    expect(new RegExp(escaped).test(hostile)).toBe(true);
    expect(new RegExp(`^${escaped}$`).test('aaaa')).toBe(false);
  });
});

describe('indexFor', () => {
  const shapes: Array<[string, unknown]> = [
    ['no filter', {}],
    ['dates and search', { from: new Date(0), search: 'x' }],
    ['one actor', { actorIds: ['u'] }],
    ['actors and actions', { actorIds: ['u', 'v'], actions: ['record.created'] }],
    ['actions', { actions: ['record.created', 'record.updated'] }],
    ['subject type', { subjectType: 'contact' }],
    ['subject', { subjectType: 'contact', subjectId: 'c1', actorIds: ['u'] }],
    ['status, ip and session', { status: 'success', ip: '1.2.3.4', sessionId: 's' }],
  ];

  it.each(shapes)('serves "%s" with a declared index whose keys lead with the filter’s equalities, then the sort', (_name, input) => {
    const parsed = filters(input);
    const index = EVENT_INDEXES.find((candidate) => candidate.name === indexFor(parsed));
    expect(index).toBeDefined();
    const indexKey: Record<string, 1 | -1> = index?.key ?? {};
    const keys = Object.keys(indexKey);
    expect(keys[0]).toBe('tenantId');
    const built = buildEventFilter('t', parsed);
    const prefix = keys.slice(1, -2);
    for (const key of prefix) expect(equalityKeys(built)).toContain(key);
    expect(Object.fromEntries(keys.slice(-2).map((key) => [key, indexKey[key]]))).toEqual(EVENT_SORT);
  });
});
