import { showRecentDeletions } from '../../examples/client-usage';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { admin, makeEvent, newestFirst } from '../helpers/test-events';
import { realmSafeFetch } from '../helpers/realm-safe-fetch';

describe('the README client example', () => {
  let api: AuditStack;
  const originalFetch = globalThis.fetch;
  const deletions = Array.from({ length: 25 }, (_, n) =>
    makeEvent({ tenantId: 'tenant-a', occurredAt: new Date(Date.now() - (n + 1) * 60_000), action: 'record.deleted', actor: { id: `u${n % 2}`, name: `User ${n % 2}`, type: 'user' }, description: `Deleted contact ${n}` }),
  );

  beforeAll(async () => {
    api = await startAuditStack('api_client_usage', { recordReads: false });
    await api.seed([...deletions, makeEvent({ tenantId: 'tenant-a', occurredAt: new Date(), action: 'user.login', description: 'Signed in' })]);
    // The example uses the global fetch, as an app does; see realmSafeFetch for why tests wrap it.
    globalThis.fetch = realmSafeFetch;
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    globalThis.fetch = originalFetch;
    jest.restoreAllMocks();
    await api.close();
  });

  it('runs against the standalone API and returns both pages, facets and one event', async () => {
    const result = await showRecentDeletions(api.url, api.tokenFor(admin('tenant-a')));
    const expected = newestFirst(deletions);
    expect(result.firstPage.items.map((event) => event.id)).toEqual(expected.slice(0, 20).map((event) => event.id));
    expect(result.secondPage?.items.map((event) => event.id)).toEqual(expected.slice(20).map((event) => event.id));
    expect(result.actors.map(({ value, count }) => ({ value, count }))).toEqual([
      { value: 'u0', count: 13 },
      { value: 'u1', count: 12 },
    ]);
    expect(result.detail).toEqual(expected[0]);
  });
});
