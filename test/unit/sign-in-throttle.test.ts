import { SignInThrottle, SIGN_IN_THROTTLE_DEFAULTS, type SignInThrottleOptions } from '../../examples/crm/auth/sign-in-throttle';

const OPTIONS: SignInThrottleOptions = {
  identity: { freeFailures: 5, firstWaitMs: 1_000, maxWaitMs: 8_000 },
  ip: { freeFailures: 20, firstWaitMs: 1_000, maxWaitMs: 8_000 },
  forgetAfterMs: 60_000,
  maxKeys: 1_000,
};

function setup(options: SignInThrottleOptions = OPTIONS) {
  let now = 1_000_000;
  const throttle = new SignInThrottle(options, () => new Date(now));
  return { throttle, advance: (ms: number) => void (now += ms) };
}

const alice = { tenantId: 'acme', email: 'alice@acme.test', ip: '192.0.2.1' };

/** Admits and fails `times` attempts in a row, returning the decisions. */
function failRepeatedly(throttle: SignInThrottle, times: number, attempt = alice) {
  return Array.from({ length: times }, () => throttle.admit(attempt));
}

describe('SignInThrottle', () => {
  it('lets the first five failures of an identity through, then answers with a wait', () => {
    const { throttle } = setup();
    const decisions = failRepeatedly(throttle, 7);
    expect(decisions.slice(0, 5)).toEqual(Array(5).fill({ admitted: true }));
    expect(decisions.slice(5)).toEqual([
      { admitted: false, retryAfterMs: 1_000 },
      { admitted: false, retryAfterMs: 1_000 },
    ]);
  });

  it('doubles the wait with each failure after it, up to the cap', () => {
    const { throttle, advance } = setup();
    failRepeatedly(throttle, 5);
    const waits: number[] = [];
    for (let n = 0; n < 6; n++) {
      const refused = throttle.admit(alice);
      if (refused.admitted) throw new Error('expected a wait');
      waits.push(refused.retryAfterMs);
      advance(refused.retryAfterMs);
      expect(throttle.admit(alice)).toEqual({ admitted: true });
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('does not lengthen the wait for attempts refused while waiting', () => {
    const { throttle, advance } = setup();
    failRepeatedly(throttle, 5);
    failRepeatedly(throttle, 100);
    advance(1_000);
    expect(throttle.admit(alice)).toEqual({ admitted: true });
    expect(throttle.admit(alice)).toEqual({ admitted: false, retryAfterMs: 2_000 });
  });

  it('counts an admitted attempt in advance, so parallel guesses cannot all get in before the first fails', () => {
    const { throttle } = setup();
    const parallel = failRepeatedly(throttle, 50);
    expect(parallel.filter((decision) => decision.admitted)).toHaveLength(5);
  });

  it('clears the identity on a successful sign-in', () => {
    const { throttle } = setup();
    failRepeatedly(throttle, 4);
    throttle.succeeded(alice);
    expect(failRepeatedly(throttle, 5).every((decision) => decision.admitted)).toBe(true);
  });

  it('throttles one identity without touching another from the same IP', () => {
    const { throttle } = setup();
    failRepeatedly(throttle, 6);
    expect(throttle.admit({ ...alice, email: 'bob@acme.test' })).toEqual({ admitted: true });
  });

  it('treats the e-mail in any case and with spaces as the same identity, and other tenants as others', () => {
    const { throttle } = setup();
    failRepeatedly(throttle, 5);
    expect(throttle.admit({ ...alice, email: ' ALICE@acme.test' })).toMatchObject({ admitted: false });
    expect(throttle.admit({ ...alice, tenantId: 'globex' })).toEqual({ admitted: true });
  });

  it('throttles an IP that tries many identities', () => {
    const { throttle } = setup();
    const decisions = Array.from({ length: 22 }, (_, n) => throttle.admit({ ...alice, email: `user${n}@acme.test` }));
    expect(decisions.filter((decision) => decision.admitted)).toHaveLength(20);
    expect(decisions[21]).toEqual({ admitted: false, retryAfterMs: 1_000 });
  });

  it('throttles an identity tried from many IPs', () => {
    const { throttle } = setup();
    const decisions = Array.from({ length: 8 }, (_, n) => throttle.admit({ ...alice, ip: `198.51.100.${n}` }));
    expect(decisions.filter((decision) => decision.admitted)).toHaveLength(5);
  });

  it('gives back the IP\'s advance count on success, so a busy office is not throttled by its own sign-ins', () => {
    const { throttle } = setup();
    for (let n = 0; n < 100; n++) {
      const person = { ...alice, email: `user${n}@acme.test` };
      expect(throttle.admit(person)).toEqual({ admitted: true });
      throttle.succeeded(person);
    }
  });

  it('forgets an identity that has not failed for a while, and prune drops idle keys', () => {
    const { throttle, advance } = setup();
    failRepeatedly(throttle, 5);
    advance(60_000);
    expect(throttle.admit(alice)).toEqual({ admitted: true });
    advance(60_000);
    throttle.prune();
    expect(throttle.trackedKeys).toEqual({ identities: 0, ips: 0 });
  });

  it('keeps at most maxKeys keys, forgetting the least recently failed', () => {
    const { throttle } = setup({ ...OPTIONS, maxKeys: 3 });
    for (let n = 0; n < 10; n++) throttle.admit({ ...alice, email: `user${n}@acme.test`, ip: `203.0.113.${n}` });
    expect(throttle.trackedKeys).toEqual({ identities: 3, ips: 3 });
  });

  it('defaults to five free failures per identity and a wait capped at fifteen minutes', () => {
    expect(SIGN_IN_THROTTLE_DEFAULTS.identity).toEqual({ freeFailures: 5, firstWaitMs: 1_000, maxWaitMs: 900_000 });
    expect(SIGN_IN_THROTTLE_DEFAULTS.forgetAfterMs).toBeGreaterThan(SIGN_IN_THROTTLE_DEFAULTS.identity.maxWaitMs);
  });
});
