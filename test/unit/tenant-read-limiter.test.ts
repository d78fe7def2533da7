import { AuditLogError } from '../../server/errors';
import { readCostOf, TenantReadLimiter, type LimiterTimers, type TReadCost } from '../../server/read-limits';

/** A clock that moves only when told to. */
function fakeTimers() {
  let now = 0;
  const pending = new Map<number, { at: number; run: () => void }>();
  let nextId = 1;
  const timers: LimiterTimers = {
    setTimeout: (run, ms) => {
      const id = nextId++;
      pending.set(id, { at: now + ms, run });
      return id;
    },
    clearTimeout: (id) => void pending.delete(id as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, timer] of [...pending]) {
      if (timer.at > now) continue;
      pending.delete(id);
      timer.run();
    }
  };
  return { timers, advance, pendingCount: () => pending.size };
}

const flush = () => new Promise<void>((done) => setImmediate(done));

/** Acquires and records the outcome, so a test can ask what has happened so far. */
function attempt(limiter: TenantReadLimiter, tenantId: string, signal?: AbortSignal, cost?: TReadCost) {
  const outcome: { release?: () => void; error?: unknown } = {};
  limiter.acquire(tenantId, signal, cost).then(
    (release) => void (outcome.release = release),
    (error: unknown) => void (outcome.error = error),
  );
  return outcome;
}

describe('TenantReadLimiter', () => {
  it('runs a tenant’s reads at once up to its share', async () => {
    const limiter = new TenantReadLimiter({ perTenant: 2 }, fakeTimers().timers);
    const first = attempt(limiter, 'a');
    const second = attempt(limiter, 'a');
    await flush();
    expect([first.release, second.release].every(Boolean)).toBe(true);
    expect(limiter.statsOf('a')).toMatchObject({ running: 2, queued: 0, waited: 0 });
  });

  it('queues a read beyond the share and starts it when one finishes', async () => {
    const limiter = new TenantReadLimiter({ perTenant: 1 }, fakeTimers().timers);
    const first = attempt(limiter, 'a');
    const second = attempt(limiter, 'a');
    await flush();
    expect(second.release).toBeUndefined();
    expect(limiter.statsOf('a')).toMatchObject({ running: 1, queued: 1, waited: 1 });
    first.release!();
    await flush();
    expect(second.release).toBeDefined();
    expect(limiter.statsOf('a')).toMatchObject({ running: 1, queued: 0, peakRunning: 1 });
  });

  it('never makes another tenant wait behind a busy tenant’s queue', async () => {
    const limiter = new TenantReadLimiter({ perTenant: 2, total: 8, queuedPerTenant: 8 }, fakeTimers().timers);
    for (let n = 0; n < 10; n++) attempt(limiter, 'a');
    const b = attempt(limiter, 'b');
    await flush();
    expect(b.release).toBeDefined();
    expect(limiter.statsOf('b').waited).toBe(0);
    expect(limiter.statsOf('a')).toMatchObject({ running: 2, queued: 8 });
  });

  it('refuses a read at once with TOO_MANY_READS and a retry-after when the tenant’s queue is full', async () => {
    const limiter = new TenantReadLimiter({ perTenant: 1, queuedPerTenant: 1, retryAfterMs: 1_500 }, fakeTimers().timers);
    attempt(limiter, 'a');
    attempt(limiter, 'a');
    const third = attempt(limiter, 'a');
    await flush();
    expect(third.error).toBeInstanceOf(AuditLogError);
    expect(third.error).toMatchObject({ code: 'TOO_MANY_READS', retryAfterMs: 1_500, message: expect.stringContaining('retry in 2 s') });
    expect(limiter.statsOf('a').refused).toBe(1);
  });

  it('refuses a queued read when no slot comes free within maxWaitMs', async () => {
    const clock = fakeTimers();
    const limiter = new TenantReadLimiter({ perTenant: 1, maxWaitMs: 2_000 }, clock.timers);
    attempt(limiter, 'a');
    const waiting = attempt(limiter, 'a');
    clock.advance(1_999);
    await flush();
    expect(waiting.error).toBeUndefined();
    clock.advance(1);
    await flush();
    expect(waiting.error).toMatchObject({ code: 'TOO_MANY_READS' });
    expect(limiter.statsOf('a').queued).toBe(0);
  });

  it('takes a read out of the queue when its client goes away', async () => {
    const clock = fakeTimers();
    const limiter = new TenantReadLimiter({ perTenant: 1 }, clock.timers);
    const running = attempt(limiter, 'a');
    const gone = new AbortController();
    const waiting = attempt(limiter, 'a', gone.signal);
    const next = attempt(limiter, 'a');
    await flush();
    gone.abort(new Error('client gone'));
    await flush();
    expect(waiting.error).toEqual(new Error('client gone'));
    expect(clock.pendingCount()).toBe(1);
    running.release!();
    await flush();
    expect(next.release).toBeDefined();
  });

  it('hands freed slots of the total to waiting tenants in turn', async () => {
    const limiter = new TenantReadLimiter({ perTenant: 4, total: 2, queuedPerTenant: 8 }, fakeTimers().timers);
    const holders = [attempt(limiter, 'a'), attempt(limiter, 'a')];
    const order: string[] = [];
    for (const tenantId of ['a', 'a', 'a', 'b', 'c']) void limiter.acquire(tenantId).then((release) => (order.push(tenantId), release));
    await flush();
    expect(order).toEqual([]);
    holders[0]!.release!();
    await flush();
    holders[1]!.release!();
    await flush();
    expect(order).toEqual(['a', 'b']);
    expect(limiter.statsOf('c').queued).toBe(1);
  });

  it('frees a slot once however often release is called', async () => {
    const limiter = new TenantReadLimiter({ perTenant: 1 }, fakeTimers().timers);
    const first = attempt(limiter, 'a');
    const second = attempt(limiter, 'a');
    const third = attempt(limiter, 'a');
    await flush();
    first.release!();
    first.release!();
    await flush();
    expect(second.release).toBeDefined();
    expect(third.release).toBeUndefined();
  });

  describe('heavy reads', () => {
    it('runs one heavy read of a tenant at a time and queues the next', async () => {
      const limiter = new TenantReadLimiter({ perTenant: 2, heavyPerTenant: 1 }, fakeTimers().timers);
      const first = attempt(limiter, 'a', undefined, 'heavy');
      const second = attempt(limiter, 'a', undefined, 'heavy');
      await flush();
      expect(first.release).toBeDefined();
      expect(second.release).toBeUndefined();
      first.release!();
      await flush();
      expect(second.release).toBeDefined();
    });

    it('lets a light read of the same tenant pass its heavy reads held by the heavy cap', async () => {
      const limiter = new TenantReadLimiter({ perTenant: 2, heavyPerTenant: 1 }, fakeTimers().timers);
      attempt(limiter, 'a', undefined, 'heavy');
      const heldHeavy = attempt(limiter, 'a', undefined, 'heavy');
      const light = attempt(limiter, 'a', undefined, 'light');
      await flush();
      expect(heldHeavy.release).toBeUndefined();
      expect(light.release).toBeDefined();
    });

    it('keeps slots for light reads: past heavyTotal, heavy reads of every tenant wait while light ones start', async () => {
      const limiter = new TenantReadLimiter({ perTenant: 2, total: 4, heavyPerTenant: 1, heavyTotal: 2 }, fakeTimers().timers);
      const heavy = ['a', 'b', 'c'].map((tenantId) => attempt(limiter, tenantId, undefined, 'heavy'));
      const light = ['d', 'd'].map((tenantId) => attempt(limiter, tenantId, undefined, 'light'));
      await flush();
      expect(heavy.map((outcome) => Boolean(outcome.release))).toEqual([true, true, false]);
      expect(light.every((outcome) => outcome.release)).toBe(true);
      heavy[0]!.release!();
      await flush();
      expect(heavy[2]!.release).toBeDefined();
    });
  });

  describe('readCostOf', () => {
    it('counts text searches, facets and activity as heavy', () => {
      expect(readCostOf('auditLog.events.list', { search: 'jane', limit: 50 })).toBe('heavy');
      expect(readCostOf('events.facets', undefined)).toBe('heavy');
      expect(readCostOf('auditLog.events.activity', {})).toBe('heavy');
    });

    it('counts a page without text, an event by id and a record history as light', () => {
      expect(readCostOf('auditLog.events.list', { limit: 1 })).toBe('light');
      expect(readCostOf('auditLog.events.list', { search: '  ', actions: ['record.deleted'] })).toBe('light');
      expect(readCostOf('auditLog.events.byId', { id: '65a0c0ffee0000000000000a' })).toBe('light');
      expect(readCostOf('auditLog.events.history', { subjectType: 'contact', subjectId: 'c-1' })).toBe('light');
      expect(readCostOf('auditLog.events.list', null)).toBe('light');
    });
  });
});
