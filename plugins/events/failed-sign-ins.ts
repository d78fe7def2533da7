import type { TAuditEventInput, TRequestContext } from '../../server/events';
import { loginFailedEvent } from './explicit-events';

/** One failed sign-in, as the host's login handler saw it. */
export interface FailedSignIn {
  tenantId: string;
  attemptedIdentity: string;
  /** Why it failed ("Wrong password", "No such user"); a throttled attempt has none: its password was never checked. */
  reason?: string;
  userId?: string;
  throttled?: boolean;
  /** Where it came from: a count is recorded after its requests have ended, so it carries the last one's. */
  context?: TRequestContext;
}

export interface FailedSignInsOptions {
  /** `auditLog.record`. The first failure is recorded inside its request; counts only from `flushDue` / `flushAll`. */
  record: (event: TAuditEventInput) => unknown;
  clock?: () => Date;
  /** How long after an identity's first failure later ones are counted into one event (default 15 minutes). */
  windowMs?: number;
  /** Identities counted at once; past it the oldest count is closed early (default 10,000). */
  maxPendingIdentities?: number;
}

interface CountingWindow {
  first: FailedSignIn;
  openedAt: number;
  attempts: number;
  throttled: number;
  firstAt?: Date;
  lastAt?: Date;
  last?: FailedSignIn;
  ips: Set<string>;
}

const MAX_IPS_IN_EVENT = 10;

/**
 * Turns repeated failed sign-ins into few events: an identity's (tenant + e-mail) first failure is
 * recorded at once; the ones after it within the window are counted into one event. A count closes
 * when its window ends, when the identity signs in, or when the process stops, and is recorded by
 * the next `flushDue` (the host calls it on an interval, outside any request, so a count never takes
 * the context of the request that happened to close it) or by `flushAll` on shutdown. A count the
 * recorder refuses stays pending and is tried again. No timers, no I/O.
 */
export class FailedSignIns {
  private readonly open = new Map<string, CountingWindow>();
  private closed: CountingWindow[] = [];
  private readonly record: FailedSignInsOptions['record'];
  private readonly clock: () => Date;
  private readonly windowMs: number;
  private readonly maxPending: number;

  constructor(options: FailedSignInsOptions) {
    this.record = options.record;
    this.clock = options.clock ?? (() => new Date());
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.maxPending = options.maxPendingIdentities ?? 10_000;
  }

  /** Failed sign-ins counted but not recorded yet. */
  get pendingAttempts(): number {
    let attempts = 0;
    for (const window of [...this.open.values(), ...this.closed]) attempts += window.attempts;
    return attempts;
  }

  failed(attempt: FailedSignIn): void {
    const now = this.clock();
    const key = identityKey(attempt.tenantId, attempt.attemptedIdentity);
    const current = this.open.get(key);
    if (current && !this.hasEnded(current, now.getTime())) return countInto(current, attempt, now);
    if (current) this.closeWindow(key, current);
    this.record(firstFailureEvent(attempt));
    if (this.open.size >= this.maxPending) this.closeOldest();
    this.open.set(key, { first: attempt, openedAt: now.getTime(), attempts: 0, throttled: 0, ips: new Set() });
  }

  /** Closes this identity's count, so it is recorded (by the next `flushDue`) ahead of a later failure's. */
  signedIn(tenantId: string, attemptedIdentity: string): void {
    const key = identityKey(tenantId, attemptedIdentity);
    const current = this.open.get(key);
    if (current) this.closeWindow(key, current);
  }

  /** Records every closed count (windows that ended included); throws, after trying all, when the recorder refused some. */
  flushDue(): void {
    const now = this.clock().getTime();
    for (const [key, window] of this.open) if (this.hasEnded(window, now)) this.closeWindow(key, window);
    this.recordClosed();
  }

  /** Records every count now (the process is stopping). */
  flushAll(): void {
    for (const [key, window] of this.open) this.closeWindow(key, window);
    this.recordClosed();
  }

  private hasEnded(window: CountingWindow, now: number): boolean {
    return now - window.openedAt >= this.windowMs;
  }

  private closeWindow(key: string, window: CountingWindow): void {
    this.open.delete(key);
    if (window.attempts > 0) this.closed.push(window);
  }

  private closeOldest(): void {
    const oldest = this.open.entries().next().value;
    if (oldest) this.closeWindow(...oldest);
  }

  private recordClosed(): void {
    const refused: unknown[] = [];
    const kept: CountingWindow[] = [];
    for (const window of this.closed) {
      try {
        this.record(countedFailuresEvent(window));
      } catch (error) {
        refused.push(error);
        kept.push(window);
      }
    }
    this.closed = kept;
    if (refused.length > 0) throw new AggregateError(refused, `${refused.length} failed sign-in counts could not be recorded (kept, tried again)`);
  }
}

function identityKey(tenantId: string, attemptedIdentity: string): string {
  return `${tenantId}\u0000${attemptedIdentity.trim().toLowerCase()}`;
}

function countInto(open: CountingWindow, attempt: FailedSignIn, now: Date): void {
  open.attempts += 1;
  if (attempt.throttled) open.throttled += 1;
  open.firstAt ??= now;
  open.lastAt = now;
  open.last = attempt;
  if (attempt.context?.ip && open.ips.size < MAX_IPS_IN_EVENT) open.ips.add(attempt.context.ip);
}

/** Recorded inside the attempt's own request, which gives it IP, device and request id. */
function firstFailureEvent({ tenantId, attemptedIdentity, reason, userId }: FailedSignIn): TAuditEventInput {
  return loginFailedEvent({ tenantId, attemptedIdentity, userId, reason: reason ?? 'Too many failed sign-ins (throttled)' });
}

function countedFailuresEvent(open: CountingWindow): TAuditEventInput {
  const last = open.last ?? open.first;
  const identity = open.first.attemptedIdentity;
  const event = loginFailedEvent({ tenantId: open.first.tenantId, attemptedIdentity: identity, reason: 'Repeated failed sign-ins', userId: last.userId ?? open.first.userId });
  const attempts = `${open.attempts} failed sign-in${open.attempts === 1 ? '' : 's'}`;
  return {
    ...event,
    occurredAt: open.lastAt,
    description: `${attempts} as ${event.metadata?.attemptedIdentity}${open.throttled > 0 ? ` (${open.throttled} throttled)` : ''}`,
    ...(last.context ? { context: last.context } : {}),
    metadata: {
      ...event.metadata,
      attempts: open.attempts,
      throttled: open.throttled,
      firstAt: open.firstAt?.toISOString() ?? null,
      lastAt: open.lastAt?.toISOString() ?? null,
      ips: [...open.ips],
    },
  };
}
