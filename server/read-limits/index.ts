/** Fair limits on expensive reads, per tenant (tenant-read-limiter.ts), and what counts as heavy (read-cost.ts). */
export { READ_LIMIT_DEFAULTS, TenantReadLimiter, type LimiterTimers, type ReadLimits, type TenantReadStats, type TReadCost } from './tenant-read-limiter';
export { readCostOf } from './read-cost';
