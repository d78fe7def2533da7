import { ObjectId } from 'mongodb';
import { FILTER_LIMITS, ZEventFilters, type TEventFilters, type TEventFiltersInput } from '../../server/events/event-filters.schema';
import { buildEventFilter, EVENT_SORT, indexFor, type EventPosition } from '../../server/events/event-query';
import { EVENT_INDEXES } from '../../server/events/event.model';

/**
 * Index fit without a real MongoDB: for every combination of filters the API accepts (each list
 * filter with one and with several values, with and without a page cursor), the index the query
 * hints is a declared one whose keys are tenant → the filter's equalities → the sort keys, so the
 * range conditions (from/to, the keyset cursor) fall on the sort keys and no shape needs an
 * in-memory sort. Several values ($in, at most FILTER_LIMITS.listItems) on a prefix key give
 * MongoDB a merge of sorted index ranges (SORT_MERGE), not a blocking SORT.
 */
const OPTIONS: Record<string, TEventFiltersInput[]> = {
  search: [{ search: 'lovelace' }],
  dates: [{ from: new Date('2026-01-01T00:00:00Z') }, { to: new Date('2026-02-01T00:00:00Z') }, { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') }],
  actors: [{ actorIds: ['u1'] }, { actorIds: ['u1', 'u2'] }],
  actions: [{ actions: ['record.updated'] }, { actions: ['record.created', 'record.deleted'] }],
  subject: [{ subjectType: 'contact' }, { subjectType: 'contact', subjectId: 'c1' }],
  status: [{ status: 'failure' }],
  ip: [{ ip: '10.0.0.1' }],
  session: [{ sessionId: 's1' }],
};

/** Every accepted combination: each group left out or set to one of its options. */
function allCombinations(): TEventFiltersInput[] {
  let combinations: TEventFiltersInput[] = [{}];
  for (const options of Object.values(OPTIONS)) combinations = combinations.flatMap((base) => [base, ...options.map((option) => ({ ...base, ...option }))]);
  return combinations;
}

const RANGE_OPERATORS = ['$gt', '$gte', '$lt', '$lte'];
const isRange = (condition: unknown) => typeof condition === 'object' && condition !== null && !(condition instanceof Date) && Object.keys(condition).some((key) => RANGE_OPERATORS.includes(key));
const isEquality = (condition: unknown) =>
  typeof condition === 'string' || (typeof condition === 'object' && condition !== null && Object.keys(condition).length === 1 && '$in' in condition && (condition as { $in: unknown[] }).$in.length <= FILTER_LIMITS.listItems);

const after: EventPosition = { occurredAt: new Date('2026-01-15T00:00:00Z'), id: new ObjectId().toHexString() };
const shapes = allCombinations().flatMap((input) => [
  [JSON.stringify(input), ZEventFilters.parse(input), undefined],
  [`${JSON.stringify(input)} + cursor`, ZEventFilters.parse(input), after],
]) as Array<[string, TEventFilters, EventPosition | undefined]>;

describe('index fit of every query shape events.list can build', () => {
  it('covers the combinations (a guard against the generator silently shrinking)', () => {
    expect(shapes.length).toBe(2 * 2 * 4 * 3 * 3 * 3 * 2 * 2 * 2);
  });

  /** Why a shape is not served, or null when it is. */
  function misfit(filters: TEventFilters, position: EventPosition | undefined, hinted: string = indexFor(filters)): string | null {
    const index = EVENT_INDEXES.find((candidate) => candidate.name === hinted);
    if (!index) return `hints ${hinted}, which is not declared`;
    const keys = Object.entries(index.key);
    const sortKeys = keys.slice(-2).map(([key]) => key);
    const prefix = keys.slice(0, -2).map(([key]) => key);
    const built = buildEventFilter('tenant', filters, position, (hex) => new ObjectId(hex));
    if (JSON.stringify(Object.fromEntries(keys.slice(-2))) !== JSON.stringify(EVENT_SORT)) return `${index.name} does not end with the sort keys`;
    if (prefix[0] !== 'tenantId') return `${index.name} does not start with tenantId`;
    const notEqual = prefix.find((key) => !isEquality(built[key]));
    if (notEqual) return `${index.name} needs an equality on ${notEqual}`;
    // Every range the query has is on the sort keys, which the index walks in order.
    const topRange = Object.entries(built).find(([key, condition]) => isRange(condition) && !sortKeys.includes(key));
    if (topRange) return `range on ${topRange[0]}`;
    const nested = JSON.stringify(built.$and ?? []);
    for (const operator of RANGE_OPERATORS) {
      for (const match of nested.matchAll(new RegExp(`"([^"$]+)":\\{"\\${operator}"`, 'g'))) if (!sortKeys.includes(match[1]!)) return `range on ${match[1]}`;
    }
    return null;
  }

  it(`serves each of the ${shapes.length} shapes with a declared index: tenant → equalities → sort keys, ranges only on the sort keys`, () => {
    const misfits = shapes.flatMap(([name, filters, position]) => {
      const why = misfit(filters, position);
      return why ? [`${name}: ${why}`] : [];
    });
    expect(misfits).toEqual([]);
  });

  it('reports a shape served by the wrong index (the check can fail)', () => {
    expect(misfit(ZEventFilters.parse({ actions: ['record.updated'] }), undefined, 'tenant_actor_time')).toBe('tenant_actor_time needs an equality on actor.id');
    expect(misfit(ZEventFilters.parse({ subjectType: 'contact' }), undefined, 'tenant_subject_time')).toBe('tenant_subject_time needs an equality on subject.id');
    expect(misfit(ZEventFilters.parse({}), undefined, 'tenant_by_name')).toBe('hints tenant_by_name, which is not declared');
  });

  it('uses every declared index for some shape (none is dead weight on writes)', () => {
    const used = new Set(shapes.map(([, filters]) => indexFor(filters)));
    expect([...used].sort()).toEqual(EVENT_INDEXES.map((index) => index.name).sort());
  });
});
