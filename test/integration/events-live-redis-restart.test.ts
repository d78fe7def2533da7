import { Redis } from 'ioredis';
import type { TAuditCaller } from '../../server/access';
import type { TAuditEventInput } from '../../server/events/event.schema';
import { startAuditStack, type AuditStack } from '../helpers/audit-stack';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server';

/**
 * Live views across a Redis restart without persistence (SIGKILL, a fresh redis-server on the same
 * port): two API instances on a redis-server of this suite's own, a subscriber through @trpc/client
 * over HTTP on one, events recorded on the other before, during and after the restart.
 */
const admin: TAuditCaller = { tenantId: 'tenant-live', actorId: 'admin-live', role: 'admin' };

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

type Received = { position: string; kind: 'event'; id: string; description: string } | { position: string; kind: 'reload'; reason: string };

describe('events.follow across a Redis restart', () => {
  let redis: OwnRedis;
  let recording: AuditStack;
  let reading: AuditStack;

  beforeAll(async () => {
    redis = await startOwnRedis({ port: 7231 });
    recording = await startAuditStack('live_restart', { redisUrl: redis.url });
    reading = await startAuditStack('live_restart_reader', { joining: recording, redisUrl: redis.url, live: { maxReplay: 200 } });
  });

  afterAll(async () => {
    await reading?.close();
    await recording?.close();
    await redis?.stop();
  });

  const record = (description: string, overrides: Partial<TAuditEventInput> = {}) =>
    recording.audit.record({ tenantId: admin.tenantId, actor: { id: 'u-writer', type: 'user' }, action: 'record.updated', description, ...overrides });

  /** Follows on the reading instance; resolves once a probe recorded on the other arrives, so the view is open. */
  async function follow(input: { lastEventId?: string } = {}) {
    const received: Received[] = [];
    const subscription = reading.client(admin).auditLog.events.follow.subscribe(input, {
      onData: ({ id, data }) => received.push(data.kind === 'event' ? { position: id, kind: 'event', id: data.event.id, description: data.event.description } : { position: id, ...data }),
    });
    const probe = `probe ${Date.now()}`;
    const deadline = Date.now() + 20_000;
    while (!received.some((message) => message.kind === 'event' && message.description === probe)) {
      if (Date.now() > deadline) throw new Error('the live view never delivered the probe');
      record(probe);
      await sleep(200);
    }
    return { received, unsubscribe: () => subscription.unsubscribe() };
  }

  const eventsOf = (received: Received[], prefix: string) => received.flatMap((message) => (message.kind === 'event' && message.description.startsWith(prefix) ? [message.id] : []));

  it('delivers every event recorded before, during and after the restart, each once', async () => {
    const view = await follow();
    try {
      const recorded: string[] = [];
      let writing = true;
      const writer = (async () => {
        for (let n = 0; writing; n++) {
          recorded.push(record(`Restart drill ${n}`));
          await sleep(25);
        }
      })();
      await sleep(500);
      await redis.restart();
      await sleep(1_500);
      writing = false;
      await writer;
      await recording.audit.flush();
      await until(() => eventsOf(view.received, 'Restart drill').length >= recorded.length, `all ${recorded.length} events on the view`);
      await sleep(500);

      const delivered = eventsOf(view.received, 'Restart drill');
      expect(view.received.filter((message) => message.kind === 'reload')).toEqual([]);
      expect(delivered.length).toBe(recorded.length);
      expect(new Set(delivered)).toEqual(new Set(recorded));
      expect(recorded.length).toBeGreaterThan(40);
    } finally {
      view.unsubscribe();
    }
  });

  it('delivers every event while the subscriber connections are cut again and again, each once', async () => {
    // Publishing goes on while a subscriber reconnects: what is published meanwhile never reaches it.
    const operator = new Redis(redis.url);
    const view = await follow();
    try {
      const recorded: string[] = [];
      for (let cut = 0; cut < 5; cut++) {
        await operator.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
        for (let n = 0; n < 8; n++) {
          recorded.push(record(`Cut drill ${cut}.${n}`));
          await sleep(20);
        }
        await sleep(300);
      }
      await recording.audit.flush();
      await until(() => eventsOf(view.received, 'Cut drill').length >= recorded.length, `all ${recorded.length} events on the view`);
      await sleep(500);
      expect(view.received.filter((message) => message.kind === 'reload')).toEqual([]);
      expect(eventsOf(view.received, 'Cut drill').sort()).toEqual([...recorded].sort());
    } finally {
      view.unsubscribe();
      operator.disconnect();
    }
  });

  it('says "reload" when more events were missed than it replays, and the list then holds them', async () => {
    const view = await follow();
    try {
      // The reading instance replays at most 200: 300 events recorded while Redis is down exceed it.
      const killed = redis.restart();
      const recorded = Array.from({ length: 300 }, (_, n) => record(`Reload drill ${n}`));
      await recording.audit.flush();
      await killed;
      await until(() => view.received.some((message) => message.kind === 'reload'), 'a reload message');

      // What the admin page does on "reload": it reads the list again.
      const listed: string[] = [];
      for (let cursor: string | null = null; ; ) {
        const page = await reading.client(admin).auditLog.events.list.query({ search: 'Reload drill', limit: 200, cursor });
        listed.push(...page.items.map((event) => event.id));
        if (!(cursor = page.nextCursor)) break;
      }
      expect(new Set(listed)).toEqual(new Set(recorded));
      const afterReload = record('After the reload');
      await until(() => eventsOf(view.received, 'After the reload').length === 1, 'the next live event');
      expect(eventsOf(view.received, 'After the reload')).toEqual([afterReload]);
    } finally {
      view.unsubscribe();
    }
  });

  it('resumes a reconnecting client after the last position it received, with what followed, once', async () => {
    const first = await follow();
    const seen = record('Seen before the disconnect');
    await until(() => eventsOf(first.received, 'Seen before').length === 1, 'the event before the disconnect');
    const position = first.received.find((message) => message.kind === 'event' && message.id === seen)!.position;
    first.unsubscribe();

    const missed = [record('Missed while away 1'), record('Missed while away 2'), record('Missed while away 3')];
    await recording.audit.flush();
    const resumed = await follow({ lastEventId: position });
    try {
      // Nothing was busy or missing: a reload here (its reason in the diff) would hide the resume.
      expect(resumed.received.filter((message) => message.kind === 'reload')).toEqual([]);
      expect(eventsOf(resumed.received, 'Missed while away')).toEqual(missed);
      expect(eventsOf(resumed.received, 'Seen before')).toEqual([]);
      expect(resumed.received.map((message) => message.kind === 'event' && message.id)).not.toContain(seen);
    } finally {
      resumed.unsubscribe();
    }
  });

  it('resumes by itself after its HTTP connection is cut, from the last position tRPC sent back, each event once', async () => {
    const view = await follow();
    try {
      const recorded: string[] = [];
      // Recorded while the client waits to reconnect (1 s): only a resume from its position brings them.
      for (let cut = 0; cut < 3; cut++) {
        reading.dropConnections();
        for (let n = 0; n < 5; n++) recorded.push(record(`Reconnect drill ${cut}.${n}`));
        await recording.audit.flush();
        await sleep(1_500);
      }
      await until(() => eventsOf(view.received, 'Reconnect drill').length >= recorded.length, `all ${recorded.length} events after the reconnects`);
      await sleep(500);
      expect(view.received.filter((message) => message.kind === 'reload')).toEqual([]);
      expect(eventsOf(view.received, 'Reconnect drill').sort()).toEqual([...recorded].sort());
    } finally {
      view.unsubscribe();
    }
  });

  it('reads what a resuming client missed as one of its tenant\'s reads: with the read slots taken, it says "reload"', async () => {
    const first = await follow();
    const position = first.received.at(-1)!.position;
    first.unsubscribe();
    // Every read slot of the tenant held (as its searches would hold them); the resume read waits 2 s, then is refused.
    const held = await Promise.all([reading.services.reads.acquire(admin.tenantId), reading.services.reads.acquire(admin.tenantId)]);
    try {
      const view = await follow({ lastEventId: position });
      try {
        expect(view.received[0]).toMatchObject({ kind: 'reload', reason: 'the server is busy with other reads of this workspace' });
        expect(reading.services.reads.statsOf(admin.tenantId).refused).toBeGreaterThan(0);
      } finally {
        view.unsubscribe();
      }
    } finally {
      held.forEach((free) => free());
    }
  });

  it('says "reload" to a client resuming from a position it cannot read', async () => {
    const view = await follow({ lastEventId: 'not-a-position' });
    try {
      expect(view.received[0]).toMatchObject({ kind: 'reload', reason: 'the position to resume from is unknown' });
    } finally {
      view.unsubscribe();
    }
  });
});
