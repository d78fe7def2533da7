import { loginFailedEvent } from '../../plugins/events/explicit-events';
import type { TAuditEvent } from '../../server/events/event.schema';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { TRPCClientError } from '@trpc/client';
import pino from 'pino';
import { waitForExport } from '../helpers/exports';
import { errorCodeOf } from '../helpers/trpc-errors';
import { admin, makeEvent, newestFirst } from '../helpers/test-events';

/**
 * What the admin page reads beyond the list, through @trpc/client over HTTP: a record's history,
 * activity per hour, the user menu's facets, and the admin's own reads left out on request.
 */
const T0 = Date.parse('2026-03-01T00:00:00Z');
const HOUR = 3_600_000;
const caller = admin('tenant-a', 'u-ada');

function seedEvents(): TAuditEvent[] {
  const people = [
    { id: 'u-ada', name: 'Ada', type: 'user' as const },
    { id: 'u-bob', name: 'Bob', type: 'user' as const },
  ];
  const events = Array.from({ length: 30 }, (_, n) =>
    makeEvent({
      tenantId: 'tenant-a',
      // 3 events in each of 10 consecutive hours, from 00:10
      occurredAt: new Date(T0 + Math.floor(n / 3) * HOUR + 10 * 60_000 + n * 1_000),
      actor: people[n % 2]!,
      action: n % 2 === 0 ? 'record.updated' : 'record.created',
      subject: { type: 'contact', id: `c-${n % 3}`, name: `Contact ${n % 3}` },
      changes: [{ field: 'phone', before: `+1 ${n}`, after: `+1 ${n + 1}` }],
      description: `Change ${n}`,
    }),
  );
  events.push(makeEvent({ tenantId: 'tenant-a', occurredAt: new Date(T0 + 2 * HOUR), actor: { id: 'key-1', name: 'Import key', type: 'api_key' }, action: 'record.created', description: 'Imported' }));
  return events;
}

describe('the admin page’s reads over HTTP', () => {
  let api: AuditStack;
  const events = seedEvents();

  beforeAll(async () => {
    api = await startAuditStack('api_page_reads', { recordReads: true });
    await api.seed([...events, makeEvent({ tenantId: 'tenant-b', occurredAt: new Date(T0), subject: { type: 'contact', id: 'c-0' }, description: 'Other tenant' })]);
    // Two failed sign-ins of an unknown identity, recorded the way the plugin's helper records them.
    for (let n = 0; n < 2; n++) api.audit.record({ ...loginFailedEvent({ tenantId: 'tenant-a', attemptedIdentity: 'eve@example.test', reason: 'unknown user' }), occurredAt: new Date(T0 + HOUR) });
    await api.audit.flush();
  });
  afterAll(() => api.close());

  it('opens the whole history of one record, newest first, with every change, in pages', async () => {
    const client = api.client(caller);
    const first = await client.auditLog.events.history.query({ subjectType: 'contact', subjectId: 'c-1', limit: 4 });
    const second = await client.auditLog.events.history.query({ subjectType: 'contact', subjectId: 'c-1', limit: 20, cursor: first.nextCursor });
    const expected = newestFirst(events.filter((event) => event.subject?.type === 'contact' && event.subject.id === 'c-1'));
    expect([...first.items, ...second.items]).toEqual(expected);
    expect(second.nextCursor).toBeNull();
    expect(first.items[0]!.changes[0]).toEqual(expected[0]!.changes[0]);
  });

  it('refuses a history without the record’s id with a readable message', async () => {
    const call = api.client(caller).auditLog.events.history.query({ subjectType: 'contact' } as never);
    expect(await errorCodeOf(call)).toBe('BAD_REQUEST');
    await expect(call).rejects.toThrow(TRPCClientError);
    await call.catch((error: Error) => expect(error.message).toMatch(/subjectId/));
  });

  it('counts the filters’ events per hour from a grouped query, within the range asked for', async () => {
    const activity = await api.client(caller).auditLog.events.activity.query({ actions: ['record.updated'], from: new Date(T0), to: new Date(T0 + 5 * HOUR - 1) });
    const first = T0 / HOUR;
    const expected = [0, 1, 2, 3, 4].map((hour) => [first + hour, events.filter((e) => e.action === 'record.updated' && Math.floor(e.occurredAt.getTime() / HOUR) === first + hour).length]);
    expect(activity.hours).toEqual(expected);
    expect(activity.total).toBe(expected.reduce((sum, [, count]) => sum + count!, 0));
    expect(activity).toMatchObject({ from: new Date(T0), to: new Date(T0 + 5 * HOUR - 1), uncounted: 0, clipped: false });
  });

  it('charts from the oldest matching event when no range is given, and only the caller’s tenant', async () => {
    const activity = await api.client(caller).auditLog.events.activity.query({ subjectType: 'contact', subjectId: 'c-0' });
    const matching = events.filter((event) => event.subject?.id === 'c-0');
    expect(activity.from).toEqual(matching[0]!.occurredAt);
    expect(activity.total).toBe(matching.length);
  });

  it('lists people and API keys in the actor facet and only counts attempted sign-in identities', async () => {
    const facets = await api.client(caller).auditLog.events.facets.query({ to: new Date(T0 + 24 * HOUR) });
    expect(facets.actors.map(({ value, kind }) => [value, kind]).sort()).toEqual([
      ['key-1', 'api_key'],
      ['u-ada', 'person'],
      ['u-bob', 'person'],
    ]);
    expect(facets.attempted).toEqual({ identities: 1, events: 2 });
    expect(facets.actions.find((action) => action.value === 'user.login_failed')?.count).toBe(2);
  });

  it('leaves the caller’s own reads of the log out with hideOwnReads, still recording them', async () => {
    const client = api.client(caller);
    await client.auditLog.events.list.query({ search: 'Change 1' });
    await api.audit.flush();
    const reads = { actions: ['audit_log.viewed'] };
    const shown = await client.auditLog.events.list.query(reads);
    expect(shown.items.length).toBeGreaterThan(0);
    expect(shown.items.every((event) => event.actor.id === 'u-ada' && event.description === 'Searched the audit log')).toBe(true);
    expect((await client.auditLog.events.list.query({ ...reads, hideOwnReads: true })).items).toEqual([]);
    expect((await client.auditLog.events.activity.query({ ...reads, hideOwnReads: true })).total).toBe(0);
    await api.audit.flush();
    expect(await api.events.countDocuments({ tenantId: 'tenant-a', action: 'audit_log.viewed', 'actor.id': 'u-ada' })).toBeGreaterThan(shown.items.length);
    // Another admin still sees them.
    const others = await api.client(admin('tenant-a', 'u-cy')).auditLog.events.list.query({ ...reads, hideOwnReads: true });
    expect(others.items.map((event) => event.id)).toEqual(expect.arrayContaining(shown.items.map((event) => event.id)));
  });

  it('exports without the requester’s own reads when asked, and says who requested it', async () => {
    const worker = await api.server.startWorker({ logger: pino({ level: 'silent' }), progressIntervalMs: 200 });
    try {
      const client = api.client(caller);
      const created = await client.auditLog.exports.create.mutate({ format: 'csv', filters: { actions: ['audit_log.viewed'], hideOwnReads: true } });
      expect(created.requestedBy).toEqual({ id: 'u-ada', name: 'Ada Admin' });
      const done = await waitForExport(client, created.id);
      await api.audit.flush();
      const othersReads = await api.events.countDocuments({ tenantId: 'tenant-a', action: 'audit_log.viewed', 'actor.id': { $ne: 'u-ada' }, receivedAt: { $lte: done.requestedAt } });
      expect(othersReads).toBeGreaterThan(0);
      expect(done.file!.rows).toBe(othersReads);
      expect((await client.auditLog.exports.list.query({ limit: 1 }))[0]!.filters).toEqual({ actions: ['audit_log.viewed'], hideOwnReads: true });
    } finally {
      await worker.close();
    }
  });
});
