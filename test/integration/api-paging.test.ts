import type { TAuditEvent } from '../../server/events/event.schema';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { admin, makeEvent, newestFirst } from '../helpers/test-events';

describe('keyset paging over HTTP', () => {
  let api: AuditStack;
  const T0 = Date.parse('2026-01-01T00:00:00Z');
  // Several events share each millisecond, so the id must break ties for paging to be exact.
  const seeded = Array.from({ length: 10_000 }, (_, n) =>
    makeEvent({ tenantId: 'tenant-a', occurredAt: new Date(T0 + Math.floor(n / 4)), description: `Seeded event ${n}` }),
  );

  beforeAll(async () => {
    api = await startAuditStack('api_paging', { recordReads: false });
    await api.seed(seeded);
  });
  afterAll(() => api.close());

  it('returns every older event exactly once, in order, while newer events keep arriving', async () => {
    const client = api.client(admin('tenant-a'));
    let inserting = true;
    let inserted = 0;
    // A few events every 100 ms: new ones land between most pages (a page takes tens of ms), without
    // the thousands that a writer at full speed piles up, which every later sort must read again.
    const writer = (async () => {
      while (inserting) {
        await api.seed(Array.from({ length: 5 }, () => makeEvent({ tenantId: 'tenant-a', occurredAt: new Date(), description: 'Arrived while paging' })));
        inserted += 5;
        await new Promise((done) => setTimeout(done, 100));
      }
    })();

    // The first page is read before anything new arrives; the new events are newer than all seeded ones.
    const seen: TAuditEvent[] = [];
    let cursor: string | null = null;
    let pages = 0;
    try {
      do {
        const page: { items: TAuditEvent[]; nextCursor: string | null } = await client.auditLog.events.list.query({ limit: 50, cursor });
        seen.push(...page.items);
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
    } finally {
      inserting = false;
      await writer;
    }

    const seenSeeded = seen.filter((event) => event.description.startsWith('Seeded'));
    expect(inserted).toBeGreaterThan(0);
    expect(seenSeeded.map((event) => event.id)).toEqual(newestFirst(seeded).map((event) => event.id));
    expect(new Set(seen.map((event) => event.id)).size).toBe(seen.length);
    expect(pages).toBeGreaterThanOrEqual(200);
  });

  it('starts a later page exactly after the cursor even when newer events were added since the first page', async () => {
    const client = api.client(admin('tenant-a'));
    const first = await client.auditLog.events.list.query({ limit: 50, to: new Date(T0 + 10_000) });
    await api.seed(Array.from({ length: 30 }, (_, n) => makeEvent({ tenantId: 'tenant-a', occurredAt: new Date(T0 + 2_500), description: `Late arrival ${n}` })));
    const second = await client.auditLog.events.list.query({ limit: 50, to: new Date(T0 + 10_000), cursor: first.nextCursor });
    const expectedSecond = newestFirst(seeded).slice(50, 100).map((event) => event.id);
    expect(second.items.map((event) => event.id)).toEqual(expectedSecond);
  });
});

describe('keyset paging without open streams (another instance, or a stream that expired)', () => {
  let api: AuditStack;
  const T0 = Date.parse('2026-02-01T00:00:00Z');
  const seeded = Array.from({ length: 600 }, (_, n) => makeEvent({ tenantId: 'tenant-a', occurredAt: new Date(T0 + Math.floor(n / 3)), description: `Seeded event ${n}` }));

  beforeAll(async () => {
    api = await startAuditStack('api_keyset', { recordReads: false, pageStreams: false });
    await api.seed(seeded);
  });
  afterAll(() => api.close());

  it('returns every older event exactly once, in order, while newer and equally old events keep arriving', async () => {
    const client = api.client(admin('tenant-a'));
    const seen: TAuditEvent[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: TAuditEvent[]; nextCursor: string | null } = await client.auditLog.events.list.query({ limit: 50, cursor });
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
      // newer events, and one sharing the time of the first event already shown
      await api.seed([
        makeEvent({ tenantId: 'tenant-a', occurredAt: new Date(), description: 'Arrived while paging' }),
        makeEvent({ tenantId: 'tenant-a', occurredAt: seeded[599]!.occurredAt, description: 'Arrived late' }),
      ]);
    } while (cursor);

    const seenSeeded = seen.filter((event) => event.description.startsWith('Seeded'));
    expect(seenSeeded.map((event) => event.id)).toEqual(newestFirst(seeded).map((event) => event.id));
    expect(new Set(seen.map((event) => event.id)).size).toBe(seen.length);
    expect(pages).toBe(12);
  });
});
