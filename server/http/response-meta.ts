import type { TRPCError } from '@trpc/server';
import { AuditLogError } from '../errors';

/**
 * tRPC's `responseMeta` for any mount of the audit log's router: a refusal that passes
 * (TOO_MANY_READS, as 429) carries `Retry-After` in seconds. The demo CRM's /trpc uses it too.
 */
export function auditLogResponseMeta({ errors }: { errors: TRPCError[] }): { headers?: Record<string, string> } {
  const waits = errors.map((error) => (error.cause instanceof AuditLogError ? error.cause.retryAfterMs : undefined)).filter((ms): ms is number => ms !== undefined);
  return waits.length > 0 ? { headers: { 'retry-after': String(Math.ceil(Math.max(...waits) / 1_000)) } } : {};
}
