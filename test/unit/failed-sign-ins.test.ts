import { FailedSignIns, type FailedSignIn } from '../../plugins/events/failed-sign-ins';
import type { TAuditEventInput } from '../../server/events/event.schema';

const WINDOW_MS = 60_000;

function setup(options: { maxPendingIdentities?: number } = {}) {
  let now = Date.parse('2026-03-01T10:00:00.000Z');
  const recorded: TAuditEventInput[] = [];
  let refuse = false;
  const failedSignIns = new FailedSignIns({
    record: (event) => {
      if (refuse) throw new Error('recorder overloaded');
      recorded.push(event);
    },
    clock: () => new Date(now),
    windowMs: WINDOW_MS,
    ...options,
  });
  return {
    failedSignIns,
    recorded,
    advance: (ms: number) => void (now += ms),
    refuseRecords: (value: boolean) => void (refuse = value),
  };
}

const attempt = (overrides: Partial<FailedSignIn> = {}): FailedSignIn => ({ tenantId: 'acme', attemptedIdentity: 'alice@acme.test', reason: 'Wrong password', ...overrides });

describe('FailedSignIns', () => {
  it('records the first failure of an identity at once, as a single failed sign-in', () => {
    const { failedSignIns, recorded } = setup();
    failedSignIns.failed(attempt({ userId: 'u1' }));
    expect(recorded).toEqual([
      expect.objectContaining({ action: 'user.login_failed', tenantId: 'acme', description: 'Failed sign-in as alice@acme.test', failureReason: 'Wrong password', actor: expect.objectContaining({ id: 'u1' }) }),
    ]);
  });

  it('counts later failures within the window without recording them one by one', () => {
    const { failedSignIns, recorded, advance } = setup();
    for (let n = 0; n < 12; n++) {
      failedSignIns.failed(attempt());
      advance(1_000);
    }
    failedSignIns.flushDue();
    expect(recorded).toHaveLength(1);
    expect(failedSignIns.pendingAttempts).toBe(11);
  });

  it('records one event with the count, the throttled count and the first and last time once the window ends', () => {
    const { failedSignIns, recorded, advance } = setup();
    failedSignIns.failed(attempt());
    for (let n = 0; n < 12; n++) {
      advance(1_000);
      failedSignIns.failed(attempt({ throttled: n >= 7, reason: n >= 7 ? undefined : 'Wrong password' }));
    }
    advance(WINDOW_MS);
    failedSignIns.flushDue();
    expect(recorded).toHaveLength(2);
    expect(recorded[1]).toMatchObject({
      action: 'user.login_failed',
      status: 'failure',
      tenantId: 'acme',
      description: '12 failed sign-ins as alice@acme.test (5 throttled)',
      occurredAt: new Date('2026-03-01T10:00:12.000Z'),
      metadata: { attemptedIdentity: 'alice@acme.test', attempts: 12, throttled: 5, firstAt: '2026-03-01T10:00:01.000Z', lastAt: '2026-03-01T10:00:12.000Z' },
    });
    expect(failedSignIns.pendingAttempts).toBe(0);
  });

  it('records nothing more for an identity that failed only once', () => {
    const { failedSignIns, recorded, advance } = setup();
    failedSignIns.failed(attempt());
    advance(WINDOW_MS);
    failedSignIns.flushDue();
    failedSignIns.flushAll();
    expect(recorded).toHaveLength(1);
  });

  it('closes the count when the identity signs in, and records it at the next flush even though the window is still open', () => {
    const { failedSignIns, recorded, advance } = setup();
    failedSignIns.failed(attempt());
    advance(1_000);
    failedSignIns.failed(attempt());
    failedSignIns.signedIn('acme', 'Alice@Acme.test');
    expect(recorded).toHaveLength(1);
    failedSignIns.flushDue();
    expect(recorded.map((event) => event.description)).toEqual(['Failed sign-in as alice@acme.test', '1 failed sign-in as alice@acme.test']);
  });

  it('starts a new window with an event at once when an identity fails again after its window ended', () => {
    const { failedSignIns, recorded, advance } = setup();
    failedSignIns.failed(attempt());
    advance(1_000);
    failedSignIns.failed(attempt());
    advance(WINDOW_MS);
    failedSignIns.failed(attempt());
    expect(recorded.map((event) => event.description)).toEqual(['Failed sign-in as alice@acme.test', 'Failed sign-in as alice@acme.test']);
    failedSignIns.flushDue();
    expect(recorded[2]).toMatchObject({ description: '1 failed sign-in as alice@acme.test', metadata: { attempts: 1 } });
  });

  it('keeps identities of other tenants and other e-mails apart, and the same e-mail in any case together', () => {
    const { failedSignIns, recorded } = setup();
    failedSignIns.failed(attempt());
    failedSignIns.failed(attempt({ attemptedIdentity: 'ALICE@acme.test ' }));
    failedSignIns.failed(attempt({ tenantId: 'globex' }));
    failedSignIns.failed(attempt({ attemptedIdentity: 'bob@acme.test' }));
    expect(recorded.map((event) => [event.tenantId, event.metadata?.attemptedIdentity])).toEqual([
      ['acme', 'alice@acme.test'],
      ['globex', 'alice@acme.test'],
      ['acme', 'bob@acme.test'],
    ]);
    expect(failedSignIns.pendingAttempts).toBe(1);
  });

  it('records every pending count at once on flushAll (the process is stopping)', () => {
    const { failedSignIns, recorded } = setup();
    for (const tenantId of ['acme', 'globex']) for (let n = 0; n < 3; n++) failedSignIns.failed(attempt({ tenantId }));
    failedSignIns.flushAll();
    expect(recorded.filter((event) => event.metadata?.attempts === 2).map((event) => event.tenantId)).toEqual(['acme', 'globex']);
    expect(failedSignIns.pendingAttempts).toBe(0);
  });

  it('keeps a count the recorder refused and records it on the next flush', () => {
    const { failedSignIns, recorded, refuseRecords } = setup();
    failedSignIns.failed(attempt());
    failedSignIns.failed(attempt());
    refuseRecords(true);
    expect(() => failedSignIns.flushAll()).toThrow(/1 failed sign-in counts could not be recorded/);
    expect(failedSignIns.pendingAttempts).toBe(1);
    refuseRecords(false);
    failedSignIns.flushDue();
    expect(recorded).toHaveLength(2);
    expect(failedSignIns.pendingAttempts).toBe(0);
  });

  it('closes the oldest count early when too many identities are counted, losing none', () => {
    const { failedSignIns, recorded } = setup({ maxPendingIdentities: 2 });
    for (const email of ['a@x.test', 'b@x.test', 'c@x.test']) {
      failedSignIns.failed(attempt({ attemptedIdentity: email }));
      failedSignIns.failed(attempt({ attemptedIdentity: email }));
    }
    failedSignIns.flushDue();
    expect(recorded.filter((event) => event.metadata?.attempts).map((event) => event.metadata?.attemptedIdentity)).toEqual(['a@x.test']);
    failedSignIns.flushAll();
    expect(recorded.filter((event) => event.metadata?.attempts)).toHaveLength(3);
  });

  it('gives the count the last attempt\'s context and the distinct IPs it came from, at most ten', () => {
    const { failedSignIns, recorded } = setup();
    failedSignIns.failed(attempt({ context: { ip: '192.0.2.1' } }));
    for (let n = 0; n < 30; n++) failedSignIns.failed(attempt({ context: { ip: `198.51.100.${n % 15}`, userAgent: `agent ${n}` } }));
    failedSignIns.flushAll();
    expect(recorded[1]?.context).toEqual({ ip: '198.51.100.14', userAgent: 'agent 29' });
    expect(recorded[1]?.metadata?.ips).toEqual(Array.from({ length: 10 }, (_, n) => `198.51.100.${n}`));
  });

  it('records a throttled first failure with the throttling as its reason', () => {
    const { failedSignIns, recorded } = setup();
    failedSignIns.failed(attempt({ throttled: true, reason: undefined }));
    expect(recorded[0]).toMatchObject({ failureReason: 'Too many failed sign-ins (throttled)' });
  });
});
