import { AuditLogError } from '../errors';

/**
 * How many expensive reads (searches, facets, event pages) run at once, per tenant and in all, in
 * one process. A tenant at its share queues briefly; past the queue or the wait it is answered
 * TOO_MANY_REQUESTS with a retry-after. A freed slot goes to the tenants in turn (round robin), so
 * a tenant with one waiting read is never behind another tenant's queue.
 *
 * Heavy reads (text searches, facets, the activity chart: read-cost.ts) have tighter caps inside
 * those: one per tenant and `heavyTotal` in all, so slots stay free for light ones (a one-row page,
 * an event by id) whatever one tenant's searches do. On a server that runs a tenant's reads as full
 * scans served in turn (FerretDB v1), each heavy read another tenant's page shares the database with
 * costs that page about one scan, so one per tenant is what keeps it near its idle time.
 */
export interface ReadLimits {
  /** Reads of one tenant running at once (default 2). */
  perTenant: number;
  /** Reads of all tenants running at once (default 8): what the database is asked to do in parallel. */
  total: number;
  /** Reads of one tenant waiting for a slot (default 8); one more is refused at once. */
  queuedPerTenant: number;
  /** Longest wait for a slot (default 2 s), then TOO_MANY_REQUESTS. */
  maxWaitMs: number;
  /** What the refusal tells the client to wait (default 1 s). */
  retryAfterMs: number;
  /** The database's time limit for each read (`maxTimeMS`, default 20 s), applied by the event repository; past it: READ_TIMED_OUT. */
  maxTimeMS: number;
  /** Heavy reads of one tenant running at once (default 1), within `perTenant`. */
  heavyPerTenant: number;
  /** Heavy reads of all tenants running at once (default 4), within `total`: the rest is kept for light reads. */
  heavyTotal: number;
}

export const READ_LIMIT_DEFAULTS: ReadLimits = { perTenant: 2, total: 8, queuedPerTenant: 8, maxWaitMs: 2_000, retryAfterMs: 1_000, maxTimeMS: 20_000, heavyPerTenant: 1, heavyTotal: 4 };

/** What a read costs the database, as far as admission goes (read-cost.ts decides). */
export type TReadCost = 'light' | 'heavy';

/** Timers, passed in so the unit tests run on a fake clock. */
export interface LimiterTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: LimiterTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface Waiter {
  tenantId: string;
  cost: TReadCost;
  grant(): void;
  refuse(error: unknown): void;
}

/** Per tenant: what runs, what waits, and counters for /metrics and the tests. */
export interface TenantReadStats {
  running: number;
  queued: number;
  /** Reads that had to wait for a slot. */
  waited: number;
  refused: number;
  peakRunning: number;
}

export class TenantReadLimiter {
  private readonly limits: ReadLimits;
  private readonly running = new Map<string, number>();
  private readonly heavyRunning = new Map<string, number>();
  private totalHeavy = 0;
  private readonly queues = new Map<string, Waiter[]>();
  private readonly stats = new Map<string, TenantReadStats>();
  private totalRunning = 0;

  constructor(
    limits: Partial<ReadLimits> = {},
    private readonly timers: LimiterTimers = realTimers,
  ) {
    this.limits = { ...READ_LIMIT_DEFAULTS, ...limits };
  }

  /** Resolves with the function that frees the slot, once the read may run; rejects with TOO_MANY_READS, or when `signal` aborts. */
  acquire(tenantId: string, signal?: AbortSignal, cost: TReadCost = 'light'): Promise<() => void> {
    const stats = this.statsOf(tenantId);
    if (signal?.aborted) return Promise.reject(signal.reason);
    // Within a tenant, reads of one cost keep their order; a light read does not wait behind heavy ones held by the heavy caps.
    const queued = this.queues.get(tenantId);
    if (this.canRun(tenantId, cost) && !queued?.some((waiter) => waiter.cost === cost)) return Promise.resolve(this.start(tenantId, cost));
    const queue = this.queues.get(tenantId) ?? [];
    if (queue.length >= this.limits.queuedPerTenant) return Promise.reject(this.refusal(tenantId, 'too many of its reads are waiting'));
    stats.waited += 1;
    return new Promise((resolve, reject) => {
      const leave = () => {
        this.timers.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.dequeue(waiter);
      };
      const waiter: Waiter = {
        tenantId,
        cost,
        grant: () => {
          leave();
          resolve(this.start(tenantId, cost));
        },
        refuse: (error) => {
          leave();
          reject(error);
        },
      };
      const onAbort = () => waiter.refuse(signal?.reason);
      const timer = this.timers.setTimeout(() => waiter.refuse(this.refusal(tenantId, `no read slot came free within ${this.limits.maxWaitMs} ms`)), this.limits.maxWaitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
      this.queues.set(tenantId, queue);
    });
  }

  statsOf(tenantId: string): TenantReadStats {
    let stats = this.stats.get(tenantId);
    if (!stats) this.stats.set(tenantId, (stats = { running: 0, queued: 0, waited: 0, refused: 0, peakRunning: 0 }));
    stats.running = this.running.get(tenantId) ?? 0;
    stats.queued = this.queues.get(tenantId)?.length ?? 0;
    return stats;
  }

  private canRun(tenantId: string, cost: TReadCost): boolean {
    if (this.totalRunning >= this.limits.total || (this.running.get(tenantId) ?? 0) >= this.limits.perTenant) return false;
    return cost === 'light' || (this.totalHeavy < this.limits.heavyTotal && (this.heavyRunning.get(tenantId) ?? 0) < this.limits.heavyPerTenant);
  }

  private start(tenantId: string, cost: TReadCost): () => void {
    const now = (this.running.get(tenantId) ?? 0) + 1;
    this.running.set(tenantId, now);
    this.totalRunning += 1;
    if (cost === 'heavy') {
      this.heavyRunning.set(tenantId, (this.heavyRunning.get(tenantId) ?? 0) + 1);
      this.totalHeavy += 1;
    }
    const stats = this.statsOf(tenantId);
    stats.peakRunning = Math.max(stats.peakRunning, now);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.totalRunning -= 1;
      decrement(this.running, tenantId);
      if (cost === 'heavy') {
        this.totalHeavy -= 1;
        decrement(this.heavyRunning, tenantId);
      }
      this.grantNext();
    };
  }

  /** Round robin: the first tenant in line with a read that may run gets the slot, then goes to the back of the line. */
  private grantNext(): void {
    for (const [tenantId, queue] of this.queues) {
      // Its first read of a cost that fits: a light one may pass heavy ones held by the heavy caps.
      const index = queue.findIndex((waiter) => this.canRun(tenantId, waiter.cost));
      if (index < 0) continue;
      const [waiter] = queue.splice(index, 1) as [Waiter];
      // Deleting and setting again moves the tenant to the end of the map's order.
      this.queues.delete(tenantId);
      if (queue.length > 0) this.queues.set(tenantId, queue);
      waiter.grant();
      return this.grantNext();
    }
  }

  private dequeue(waiter: Waiter): void {
    const queue = this.queues.get(waiter.tenantId);
    if (!queue) return;
    const index = queue.indexOf(waiter);
    if (index >= 0) queue.splice(index, 1);
    if (queue.length === 0) this.queues.delete(waiter.tenantId);
  }

  private refusal(tenantId: string, why: string): AuditLogError {
    this.statsOf(tenantId).refused += 1;
    const seconds = Math.ceil(this.limits.retryAfterMs / 1_000);
    return new AuditLogError('TOO_MANY_READS', `Too many audit-log reads at once for this tenant (${why}); retry in ${seconds} s`, { retryAfterMs: this.limits.retryAfterMs });
  }
}

function decrement(counts: Map<string, number>, tenantId: string): void {
  const left = (counts.get(tenantId) ?? 1) - 1;
  if (left > 0) counts.set(tenantId, left);
  else counts.delete(tenantId);
}
