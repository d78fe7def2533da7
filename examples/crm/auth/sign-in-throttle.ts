export interface ThrottleRule {
  /** Failures let through before the first wait. */
  freeFailures: number;
  /** The first wait; each further failure doubles it, up to `maxWaitMs`. */
  firstWaitMs: number;
  maxWaitMs: number;
}

export interface SignInThrottleOptions {
  /** Per tenant + e-mail: what guesses one account's password. */
  identity: ThrottleRule;
  /** Per client IP: what tries many accounts (an office behind one NAT shares it, hence more room). */
  ip: ThrottleRule;
  /** A key with no failure for this long starts again from zero (longer than the longest wait). */
  forgetAfterMs: number;
  /** Keys kept per kind; past it the least recently failed one is forgotten. */
  maxKeys: number;
}

export const SIGN_IN_THROTTLE_DEFAULTS: SignInThrottleOptions = {
  identity: { freeFailures: 5, firstWaitMs: 1_000, maxWaitMs: 15 * 60_000 },
  ip: { freeFailures: 50, firstWaitMs: 1_000, maxWaitMs: 15 * 60_000 },
  forgetAfterMs: 60 * 60_000,
  maxKeys: 100_000,
};

export type ThrottleDecision = { admitted: true } | { admitted: false; retryAfterMs: number };

interface FailureCount {
  failures: number;
  blockedUntil: number;
  lastFailureAt: number;
}

/** Failures per key with exponential waits; the map is kept in order of last failure, oldest first. */
class FailureBackoff {
  private readonly counts = new Map<string, FailureCount>();

  constructor(
    private readonly rule: ThrottleRule,
    private readonly limits: Pick<SignInThrottleOptions, 'forgetAfterMs' | 'maxKeys'>,
  ) {}

  waitMs(key: string, now: number): number {
    const count = this.current(key, now);
    return count && now < count.blockedUntil ? count.blockedUntil - now : 0;
  }

  /** Counts a failure; the wait starts with the `freeFailures`-th one. */
  fail(key: string, now: number): void {
    const count = this.current(key, now) ?? { failures: 0, blockedUntil: 0, lastFailureAt: now };
    count.failures += 1;
    count.lastFailureAt = now;
    const beyondFree = count.failures - this.rule.freeFailures;
    // No jitter (unlike the recorder's retry backoff): the wait is told to the client as Retry-After.
    if (beyondFree >= 0) count.blockedUntil = now + Math.min(this.rule.maxWaitMs, this.rule.firstWaitMs * 2 ** Math.min(beyondFree, 30));
    this.counts.delete(key);
    this.counts.set(key, count);
    if (this.counts.size > this.limits.maxKeys) this.counts.delete(this.counts.keys().next().value as string);
  }

  /** Takes back one failure counted in advance (the attempt succeeded). */
  unfail(key: string, now: number): void {
    const count = this.current(key, now);
    if (!count) return;
    count.failures = Math.max(0, count.failures - 1);
    if (count.failures < this.rule.freeFailures) count.blockedUntil = 0;
  }

  forget(key: string): void {
    this.counts.delete(key);
  }

  /** Drops keys idle for `forgetAfterMs`; they sit at the front of the map. */
  prune(now: number): void {
    for (const [key, count] of this.counts) {
      if (now - count.lastFailureAt < this.limits.forgetAfterMs) return;
      this.counts.delete(key);
    }
  }

  get size(): number {
    return this.counts.size;
  }

  private current(key: string, now: number): FailureCount | undefined {
    const count = this.counts.get(key);
    if (count && now - count.lastFailureAt >= this.limits.forgetAfterMs) {
      this.counts.delete(key);
      return undefined;
    }
    return count;
  }
}

/**
 * Sign-in throttling per identity and per IP. `admit` decides before anything is looked up, so a
 * throttled attempt never reaches the password check (no timing to measure), and counts the
 * attempt as a failure in advance, so parallel guesses cannot all slip in before the first one
 * fails; `succeeded` takes that back and clears the identity. In memory, per process.
 */
export class SignInThrottle {
  private readonly byIdentity: FailureBackoff;
  private readonly byIp: FailureBackoff;

  constructor(
    options: SignInThrottleOptions = SIGN_IN_THROTTLE_DEFAULTS,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.byIdentity = new FailureBackoff(options.identity, options);
    this.byIp = new FailureBackoff(options.ip, options);
  }

  admit(attempt: { tenantId: string; email: string; ip: string | undefined }): ThrottleDecision {
    const now = this.clock().getTime();
    const identity = identityKey(attempt);
    const ip = attempt.ip ?? 'unknown';
    const waitMs = Math.max(this.byIdentity.waitMs(identity, now), this.byIp.waitMs(ip, now));
    if (waitMs > 0) return { admitted: false, retryAfterMs: waitMs };
    this.byIdentity.fail(identity, now);
    this.byIp.fail(ip, now);
    return { admitted: true };
  }

  succeeded(attempt: { tenantId: string; email: string; ip: string | undefined }): void {
    this.byIdentity.forget(identityKey(attempt));
    this.byIp.unfail(attempt.ip ?? 'unknown', this.clock().getTime());
  }

  prune(): void {
    const now = this.clock().getTime();
    this.byIdentity.prune(now);
    this.byIp.prune(now);
  }

  get trackedKeys(): { identities: number; ips: number } {
    return { identities: this.byIdentity.size, ips: this.byIp.size };
  }
}

function identityKey({ tenantId, email }: { tenantId: string; email: string }): string {
  return `${tenantId}\u0000${email.trim().toLowerCase()}`;
}
