import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * How far an accepted event is safe before it is in MongoDB:
 * - `durable` (default): every event is appended to the write-ahead log (fsync, group-committed) as
 *   it is queued, and the mongoose plugin's hooks resolve only once it is on disk, so a host write
 *   is acknowledged only with its event safe from a crash. Past the memory bound events go to the
 *   log alone.
 * - `buffered`: the host does not wait; events past the memory bound (and those left when close()
 *   gives up) go to the write-ahead log. A crash loses what was only in memory.
 * - `memory`: no files (read-only file systems): past the bound events go to the Redis spill list,
 *   which a Redis restart without persistence loses.
 */
export const ZDurability = z.object({
  mode: z.enum(['durable', 'buffered', 'memory']).default('durable'),
  /** Where the write-ahead log lives: a local disk that survives the process (a volume in a container). */
  directory: z.string().min(1).default('.crm-audit-log/wal'),
});

export type TDurabilityInput = z.input<typeof ZDurability>;
export type TDurability = z.infer<typeof ZDurability>;

export function durabilityOf(input: TDurabilityInput | undefined): TDurability {
  const parsed = ZDurability.parse(input ?? {});
  return { ...parsed, directory: resolve(parsed.directory) };
}
