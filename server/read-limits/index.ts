/** Fair limits on expensive reads, per tenant (tenant-read-limiter.ts). */
export { READ_LIMIT_DEFAULTS, TenantReadLimiter, type LimiterTimers, type ReadLimits, type TenantReadStats } from './tenant-read-limiter';
