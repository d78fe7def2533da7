import { TRPCClientError } from '@trpc/client';
import { Redis } from 'ioredis';
import type { TEventFiltersInput } from '../../server/events/event-filters.schema';
import type { TAuditEventInput } from '../../server/events/event.schema';
import type { AuditLogApiRouter } from '../../server/router';
import type { TAuditCaller } from '../../server/access';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';

const adminA: TAuditCaller = { tenantId: 'tenant-a', actorId: 'admin-a', actorName: 'Ada Admin', role: 'admin' };
const memberA: TAuditCaller = { tenantId: 'tenant-a', actorId: 'member-a', role: 'member' };
const adminB: TAuditCaller = { tenantId: 'tenant-b', actorId: 'admin-b', role: 'admin' };
const adminC: TAuditCaller = { tenantId: 'tenant-c', actorId: 'admin-c', role: 'admin' };

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('events.live: new events over SSE, across API instances', () => {
  let recording: AuditStack;
  let reading: AuditStack;

  beforeAll(async () => {
    recording = await startAuditStack('events-live');
    // A second API instance behind the same URL: events recorded on one reach views on the other.
    reading = await startAuditStack('events-live-reader', { joining: recording });
  });

  afterAll(async () => {
    await reading?.close();
    await recording?.close();
  });

  const record = (overrides: Partial<TAuditEventInput> & { description: string }) =>
    recording.audit.record({
      tenantId: 'tenant-a',
      actor: { id: 'u-alice', name: 'Alice', type: 'user' },
      action: 'record.updated',
      subject: { type: 'contact', id: 'c-1', name: 'Jane Doe' },
      ...overrides,
    });

  /**
   * Subscribes on the second instance and waits until the stream delivers: a probe event matching
   * the filters is recorded on the first instance until one arrives, so nothing later is missed.
   */
  async function subscribeLive(caller: TAuditCaller, filters: TEventFiltersInput, probe: Partial<TAuditEventInput>) {
    const received: Array<{ id: string; description: string; occurredAt: Date; tenantId: string }> = [];
    const subscription = reading.client(caller).auditLog.events.live.subscribe(filters, { onData: (event) => received.push(event) });
    const deadline = Date.now() + 10_000;
    while (!received.some((event) => event.description.startsWith('probe'))) {
      if (Date.now() > deadline) throw new Error('the live stream never delivered the probe event');
      record({ ...probe, description: `probe ${Date.now()}` });
      await sleep(150);
    }
    await recording.audit.flush();
    await sleep(100);
    received.length = 0;
    return { received, unsubscribe: () => subscription.unsubscribe() };
  }

  it('leaves the watching admin’s own reads out with hideOwnReads, and delivers another admin’s', async () => {
    const live = await subscribeLive(adminA, { hideOwnReads: true }, {});
    try {
      const own = record({ action: 'audit_log.viewed', actor: { id: adminA.actorId, name: 'Ada Admin', type: 'user' }, subject: undefined, description: 'Searched the audit log' });
      const others = record({ action: 'audit_log.viewed', actor: { id: 'admin-z', name: 'Zed Admin', type: 'user' }, subject: undefined, description: 'Searched the audit log' });
      const after = record({ description: 'Renamed Jane Doe again' });
      await until(() => live.received.some((event) => event.id === after), 'the event after the reads');
      expect(live.received.map((event) => event.id)).toEqual([others, after]);
      expect(live.received.map((event) => event.id)).not.toContain(own);
    } finally {
      live.unsubscribe();
    }
  });

  it('delivers events recorded on another instance, newest after older, with dates as dates', async () => {
    const live = await subscribeLive(adminA, {}, {});
    try {
      const first = record({ description: 'Renamed Jane Doe' });
      const second = record({ description: 'Deleted Jane Doe', action: 'record.deleted' });
      await until(() => live.received.length >= 2, 'two live events');
      expect(live.received.map((event) => event.id)).toEqual([first, second]);
      expect(live.received[0]!.occurredAt).toBeInstanceOf(Date);
      expect(live.received.every((event) => event.tenantId === 'tenant-a')).toBe(true);
    } finally {
      live.unsubscribe();
    }
  });

  it('yields only events matching the filters of events.list', async () => {
    const filters = { actions: ['record.deleted'], search: 'jane', status: 'success' as const };
    const live = await subscribeLive(adminA, filters, { action: 'record.deleted' });
    try {
      record({ description: 'Updated Jane Doe' }); // another action
      record({ description: 'Deleted Bob', action: 'record.deleted', subject: { type: 'contact', id: 'c-2', name: 'Bob' } }); // text does not match
      record({ description: 'Deleted a contact', action: 'record.deleted', status: 'failure', failureReason: 'locked' }); // status
      const matching = record({ description: 'Deleted a contact', action: 'record.deleted' }); // subject name Jane Doe matches
      await recording.audit.flush();
      await until(() => live.received.length >= 1, 'the matching event');
      await sleep(300);
      expect(live.received.map((event) => event.id)).toEqual([matching]);
    } finally {
      live.unsubscribe();
    }
  });

  it("never delivers another tenant's events", async () => {
    const liveB = await subscribeLive(adminB, {}, { tenantId: 'tenant-b' });
    try {
      record({ description: 'Tenant A only' });
      const ownEvent = record({ tenantId: 'tenant-b', description: 'Tenant B event' });
      await until(() => liveB.received.length >= 1, "tenant B's event");
      await sleep(300);
      expect(liveB.received.map((event) => event.id)).toEqual([ownEvent]);
    } finally {
      liveB.unsubscribe();
    }
  });

  it('publishes only tenants someone watches, and a later instance learns of open views by roll call', async () => {
    const published: string[] = [];
    const listener = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    listener.on('message', (_channel: string, text: string) => published.push(text));
    await listener.subscribe(`${recording.redis.prefix}:live:events`);
    try {
      expect(recording.services.connected!.live.isWatched('tenant-c')).toBe(false);
      record({ tenantId: 'tenant-c', description: 'Nobody watches tenant C yet' });
      await recording.audit.flush();
      await sleep(300);
      expect(published.filter((text) => text.includes('tenant:tenant-c'))).toEqual([]);

      const live = await subscribeLive(adminC, {}, { tenantId: 'tenant-c' });
      try {
        expect(recording.services.connected!.live.isWatched('tenant-c')).toBe(true);
        expect(published.some((text) => text.includes('tenant:tenant-c'))).toBe(true);
        const late = await startAuditStack('events-live-late', { joining: recording });
        try {
          await until(() => late.services.connected!.live.isWatched('tenant-c'), 'the roll call to reach the new instance');
          expect(late.services.connected!.live.isWatched('tenant-d')).toBe(false);
        } finally {
          await late.close();
        }
      } finally {
        live.unsubscribe();
      }
    } finally {
      listener.disconnect();
    }
  });

  it('refuses a member with FORBIDDEN', async () => {
    const error = await new Promise<unknown>((done) => {
      const subscription = reading.client(memberA).auditLog.events.live.subscribe(
        {},
        {
          onData: () => done(new Error('a member received a live event')),
          onError: (failure) => {
            subscription.unsubscribe();
            done(failure);
          },
        },
      );
    });
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AuditLogApiRouter>).data?.code).toBe('FORBIDDEN');
  });
});
