import type { Redis } from 'ioredis';

/**
 * Fairness: at most `limit` running exports per tenant. A slot is a member of a per-tenant sorted
 * set scored by its expiry, renewed while the export runs, so a killed worker's slot frees itself.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

export function createExportSlots(redis: Redis, prefix: string, { limit, leaseMs }: { limit: number; leaseMs: number }) {
  const key = (tenantId: string) => `${prefix}:exports:running:${tenantId}`;
  return {
    /** True when this export may run now (also true when it already holds the slot). */
    async acquire(tenantId: string, exportId: string): Promise<boolean> {
      const now = Date.now();
      const granted = await redis.eval(ACQUIRE, 1, key(tenantId), now, now + leaseMs, exportId, limit, leaseMs * 2);
      return granted === 1;
    },
    async renew(tenantId: string, exportId: string): Promise<void> {
      await redis.zadd(key(tenantId), 'XX', Date.now() + leaseMs, exportId);
    },
    async release(tenantId: string, exportId: string): Promise<void> {
      await redis.zrem(key(tenantId), exportId);
    },
  };
}

/** BullMQ's lowest priority (1 is the highest). */
const LOWEST_PRIORITY = 2_097_152;

/**
 * Fairness across tenants in the queue itself: a tenant's n-th unfinished export gets priority n,
 * and BullMQ runs equal priorities in order. So every tenant's first export runs before any
 * tenant's second: one tenant's 20 queued exports do not make another's single export wait.
 */
export function fairExportPriority(unfinishedInTenant: number): number {
  return Math.min(LOWEST_PRIORITY, Math.max(0, Math.floor(unfinishedInTenant)) + 1);
}

export type ExportSlots = ReturnType<typeof createExportSlots>;
