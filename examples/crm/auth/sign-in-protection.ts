import type { Logger } from 'pino';
import type { AuditLog } from '../../../plugins';
import { FailedSignIns } from '../../../plugins';
import { SignInThrottle, SIGN_IN_THROTTLE_DEFAULTS, type SignInThrottleOptions } from './sign-in-throttle';

export interface SignInProtectionOptions {
  throttle?: SignInThrottleOptions;
  /** How long failed sign-ins of one identity are counted into one event (default 15 minutes). */
  countWindowMs?: number;
  clock?: () => Date;
}

const TICK_MS = 1_000;

/**
 * Throttling and failed sign-in counts for `auth.login`, both in this process's memory: enough for
 * one demo process. A host with several instances keeps both in Redis instead (see
 * docs/OPERATIONS.md, "Sign-in throttling"), or an attacker gets each instance's allowance.
 */
export function createSignInProtection(auditLog: Pick<AuditLog, 'record'>, logger: Logger, options: SignInProtectionOptions = {}) {
  const throttle = new SignInThrottle(options.throttle ?? SIGN_IN_THROTTLE_DEFAULTS, options.clock);
  const failedSignIns = new FailedSignIns({ record: (event) => auditLog.record(event), clock: options.clock, windowMs: options.countWindowMs });
  const flush = (flushCounts: () => void) => {
    try {
      flushCounts();
    } catch (error) {
      logger.warn({ err: error, pendingAttempts: failedSignIns.pendingAttempts }, 'failed sign-in counts not recorded yet');
    }
  };
  // Made here, outside any request, so the counts it records carry no request's context.
  const tick = setInterval(() => {
    throttle.prune();
    flush(() => failedSignIns.flushDue());
  }, TICK_MS);
  tick.unref();

  return {
    throttle,
    failedSignIns,
    /** Records every pending count (call before the audit log closes); stops the timer. */
    close(): void {
      clearInterval(tick);
      flush(() => failedSignIns.flushAll());
    },
  };
}

export type SignInProtection = ReturnType<typeof createSignInProtection>;
