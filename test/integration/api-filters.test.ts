import type { TAuditEvent } from '../../server/events/event.schema';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { admin, makeEvent, newestFirst } from '../helpers/test-events';

/**
 * Each filter alone and combined, through @trpc/client over HTTP, against expectations computed
 * in plain JavaScript from the seeded events.
 */
const T0 = Date.parse('2026-03-01T00:00:00Z');
const actors = [
  { id: 'u-ada', name: 'Ada', type: 'user' as const },
  { id: 'u-bob', name: 'Bob', type: 'user' as const },
  { id: 'u-cy', name: 'Cy', type: 'user' as const },
];
const actions = ['record.created', 'record.updated', 'record.deleted', 'user.login'];
const descriptions = ['Price (EUR) up 5.0%', 'Renamed ACME Corp', 'Deleted contact', 'Signed in', 'Changed phone a+b'];

function seedEvents(tenantId: string, count: number): TAuditEvent[] {
  return Array.from({ length: count }, (_, n) =>
    makeEvent({
      tenantId,
      // every third event shares its time with another: the id breaks the tie
      occurredAt: new Date(T0 + Math.floor(n / 2) * 60_000),
      actor: actors[n % actors.length]!,
      action: actions[n % actions.length]!,
      subject: { type: n % 2 === 0 ? 'contact' : 'deal', id: `s-${n % 5}`, name: n % 7 === 0 ? 'Globex [EU] *' : `Acme ${n % 3}` },
      description: descriptions[n % descriptions.length]!,
      status: n % 6 === 0 ? 'failure' : 'success',
      failureReason: n % 6 === 0 ? 'denied' : undefined,
      context: { ip: `10.0.0.${n % 4}`, sessionId: `sess-${n % 3}` },
    }),
  );
}

describe('events.list filters over HTTP', () => {
  let api: AuditStack;
  const events = seedEvents('tenant-a', 90);
  const ofTenant = (predicate: (event: TAuditEvent) => boolean) => newestFirst(events.filter(predicate)).map((event) => event.id);
  const includesText = (text: string | undefined, needle: string) => (text ?? '').toLowerCase().includes(needle.toLowerCase());

  beforeAll(async () => {
    api = await startAuditStack('api_filters', { recordReads: false });
    await api.seed([...events, ...seedEvents('tenant-b', 30)]);
  });
  afterAll(() => api.close());

  async function listIds(input: Record<string, unknown>): Promise<string[]> {
    const client = api.client(admin('tenant-a'));
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: TAuditEvent[]; nextCursor: string | null } = await client.auditLog.events.list.query({ ...input, limit: 7, cursor });
      ids.push(...page.items.map((event) => event.id));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  }

  const from = new Date(T0 + 10 * 60_000);
  const to = new Date(T0 + 30 * 60_000);
  const cases: Array<[string, Record<string, unknown>, (event: TAuditEvent) => boolean]> = [
    ['no filter', {}, () => true],
    ['search in descriptions, ignoring case', { search: 'acme corp' }, (e) => includesText(e.description, 'acme corp') || includesText(e.subject?.name, 'acme corp')],
    ['search in subject names', { search: 'globex' }, (e) => includesText(e.subject?.name, 'globex') || includesText(e.description, 'globex')],
    ['search with regex metacharacters taken literally', { search: '(eur) up 5.0%' }, (e) => includesText(e.description, '(eur) up 5.0%')],
    ['search with brackets and a star', { search: '[eu] *' }, (e) => includesText(e.subject?.name, '[eu] *')],
    ['search for "a+b" that as a pattern would match "ab"', { search: 'a+b' }, (e) => includesText(e.description, 'a+b') || includesText(e.subject?.name, 'a+b')],
    ['from', { from }, (e) => e.occurredAt >= from],
    ['to', { to }, (e) => e.occurredAt <= to],
    ['from and to', { from, to }, (e) => e.occurredAt >= from && e.occurredAt <= to],
    ['one actor', { actorIds: ['u-bob'] }, (e) => e.actor.id === 'u-bob'],
    ['two actors', { actorIds: ['u-bob', 'u-cy'] }, (e) => e.actor.id !== 'u-ada'],
    ['one action', { actions: ['record.deleted'] }, (e) => e.action === 'record.deleted'],
    ['two actions', { actions: ['record.deleted', 'user.login'] }, (e) => e.action === 'record.deleted' || e.action === 'user.login'],
    ['subject type', { subjectType: 'deal' }, (e) => e.subject?.type === 'deal'],
    ['subject type and id', { subjectType: 'contact', subjectId: 's-2' }, (e) => e.subject?.type === 'contact' && e.subject.id === 's-2'],
    ['status', { status: 'failure' }, (e) => e.status === 'failure'],
    ['ip', { ip: '10.0.0.3' }, (e) => e.context.ip === '10.0.0.3'],
    ['session', { sessionId: 'sess-1' }, (e) => e.context.sessionId === 'sess-1'],
    [
      'everything combined',
      { search: 'acme', from, to, actorIds: ['u-ada', 'u-bob'], actions: ['record.created', 'record.updated', 'user.login'], subjectType: 'contact', status: 'failure', sessionId: 'sess-0' },
      (e) =>
        (includesText(e.description, 'acme') || includesText(e.subject?.name, 'acme')) &&
        e.occurredAt >= from &&
        e.occurredAt <= to &&
        e.actor.id !== 'u-cy' &&
        e.action !== 'record.deleted' &&
        e.subject?.type === 'contact' &&
        e.status === 'failure' &&
        e.context.sessionId === 'sess-0',
    ],
    ['actor, action, ip and search', { actorIds: ['u-ada'], actions: ['record.created'], ip: '10.0.0.0', search: 'price' }, (e) => e.actor.id === 'u-ada' && e.action === 'record.created' && e.context.ip === '10.0.0.0' && includesText(e.description, 'price')],
  ];

  it.each(cases)('returns exactly the matching events, newest first: %s', async (_name, input, predicate) => {
    const expected = ofTenant(predicate);
    expect(expected.length).toBeGreaterThan(0);
    expect(await listIds(input)).toEqual(expected);
  });

  it('returns an empty page, without a cursor, when nothing matches', async () => {
    const page = await api.client(admin('tenant-a')).auditLog.events.list.query({ search: 'no such text anywhere' });
    expect(page).toEqual({ items: [], nextCursor: null });
  });

  it('returns events with dates as Date objects and every stored field', async () => {
    const page = await api.client(admin('tenant-a')).auditLog.events.list.query({ limit: 1 });
    const newest = newestFirst(events)[0]!;
    expect(page.items[0]).toEqual(newest);
    expect(page.items[0]!.occurredAt).toBeInstanceOf(Date);
  });

  it('counts facets by action and by actor for the current filters', async () => {
    const facets = await api.client(admin('tenant-a')).auditLog.events.facets.query({ status: 'success', actorIds: ['u-ada', 'u-bob'] });
    const matching = events.filter((e) => e.status === 'success' && e.actor.id !== 'u-cy');
    const count = (key: (e: TAuditEvent) => string) =>
      [...matching.reduce((counts, e) => counts.set(key(e), (counts.get(key(e)) ?? 0) + 1), new Map<string, number>())]
        .map(([value, n]) => ({ value, count: n }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    expect(facets.actions).toEqual(count((e) => e.action));
    expect(facets.actors.map(({ value, count: n }) => ({ value, count: n }))).toEqual(count((e) => e.actor.id));
    expect(facets.actors.find((actor) => actor.value === 'u-ada')?.name).toBe('Ada');
  });
});
