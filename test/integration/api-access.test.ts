import { errorCodeOf } from '../helpers/trpc-errors';
import { AUDIT_EVENTS_COLLECTION } from '../../server/events/event.model';
import { fromEventDocument } from '../../server/events/event.document';
import { createAuditLogClient } from '../../client';
import { signApiToken } from '../../server/auth/api-token';
import { API_TOKEN_SECRET, startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { admin, makeEvent, member } from '../helpers/test-events';
import { realmSafeFetch } from '../helpers/realm-safe-fetch';

describe('access and tenant isolation over HTTP', () => {
  let api: AuditStack;
  const now = Date.now();
  const eventA = makeEvent({ tenantId: 'tenant-a', occurredAt: new Date(now - 1_000), actor: { id: 'alice', name: 'Alice', type: 'user' }, action: 'record.deleted', description: 'Deleted ACME' });
  const eventB = makeEvent({ tenantId: 'tenant-b', occurredAt: new Date(now - 2_000), actor: { id: 'bert', name: 'Bert', type: 'user' }, action: 'user.login', description: 'Signed in' });

  beforeAll(async () => {
    api = await startAuditStack('api_access', { recordReads: true });
    await api.seed([eventA, eventB]);
  });
  afterAll(() => api.close());

  it('never lists another tenant’s events', async () => {
    const page = await api.client(admin('tenant-b')).auditLog.events.list.query({});
    expect(page.items.map((event) => event.id)).toEqual([eventB.id]);
  });

  it('never lists another tenant’s events even when searching for their text or actor', async () => {
    const page = await api.client(admin('tenant-b')).auditLog.events.list.query({ search: 'ACME', actorIds: ['alice'] });
    expect(page.items).toEqual([]);
  });

  it('never counts another tenant’s events in facets', async () => {
    // up to `now`: the searches these tests make are themselves recorded, later
    const facets = await api.client(admin('tenant-b')).auditLog.events.facets.query({ to: new Date(now) });
    expect(facets.actions).toEqual([{ value: 'user.login', count: 1 }]);
    expect(facets.actors).toEqual([{ value: 'bert', count: 1, name: 'Bert', kind: 'person' }]);
  });

  it('answers NOT_FOUND for another tenant’s event id', async () => {
    expect(await errorCodeOf(api.client(admin('tenant-b')).auditLog.events.byId.query({ id: eventA.id }))).toBe('NOT_FOUND');
  });

  it('returns an event of the caller’s own tenant by id', async () => {
    expect(await api.client(admin('tenant-a')).auditLog.events.byId.query({ id: eventA.id })).toEqual(eventA);
  });

  it('refuses a member with FORBIDDEN on every procedure', async () => {
    const client = api.client(member('tenant-a'));
    expect(await errorCodeOf(client.auditLog.events.list.query({}))).toBe('FORBIDDEN');
    expect(await errorCodeOf(client.auditLog.events.byId.query({ id: eventA.id }))).toBe('FORBIDDEN');
    expect(await errorCodeOf(client.auditLog.events.facets.query({}))).toBe('FORBIDDEN');
    expect(await errorCodeOf(client.auditLog.events.actions.query())).toBe('FORBIDDEN');
  });

  it('refuses a caller without credentials with UNAUTHORIZED', async () => {
    expect(await errorCodeOf(api.client(null).auditLog.events.list.query({}))).toBe('UNAUTHORIZED');
    expect(await errorCodeOf(api.client(null).auditLog.events.actions.query())).toBe('UNAUTHORIZED');
  });

  it('refuses an expired or forged token with UNAUTHORIZED', async () => {
    const expired = signApiToken(admin('tenant-a'), API_TOKEN_SECRET, { ttlSeconds: -10 });
    const forged = signApiToken(admin('tenant-a'), 'another-secret-that-is-long-enough-000', {});
    for (const token of [expired, forged, 'v1.e30.bm9wZQ']) {
      const client = createAuditLogClient({ url: api.url, fetch: realmSafeFetch, headers: () => ({ authorization: `Bearer ${token}` }) });
      expect(await errorCodeOf(client.auditLog.events.list.query({}))).toBe('UNAUTHORIZED');
    }
  });

  it('lists the action catalog with labels for filter menus', async () => {
    const actions = await api.client(admin('tenant-a')).auditLog.events.actions.query();
    expect(actions).toContainEqual({ name: 'record.deleted', label: 'Record deleted', category: 'records' });
    expect(actions).toContainEqual({ name: 'audit_log.viewed', label: 'Audit log searched', category: 'audit' });
  });

  it('records a search of the audit log once, however many pages are read, in the searcher’s tenant', async () => {
    const client = api.client(admin('tenant-a', 'auditor-7'));
    const first = await client.auditLog.events.list.query({ search: 'acme', limit: 1 });
    await client.auditLog.events.list.query({ search: 'acme', limit: 1, cursor: first.nextCursor });
    await client.auditLog.events.list.query({ search: 'acme', limit: 1 });
    await api.audit.flush();
    const recorded = await api.mongo.connection.collection(AUDIT_EVENTS_COLLECTION).find({ action: 'audit_log.viewed', 'actor.id': 'auditor-7' }).toArray();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ tenantId: 'tenant-a', description: 'Searched the audit log' });
    // The filters are the searcher's personal value: the stored hashed part holds their commitment.
    expect(fromEventDocument(recorded[0] as never).metadata).toEqual({ filters: { search: 'acme' } });
  });
});
