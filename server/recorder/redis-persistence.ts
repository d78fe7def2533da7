import type { Redis } from 'ioredis';

/**
 * Whether Redis keeps its data across a restart: `appendonly` (every write logged), `snapshots`
 * (RDB `save` points: the writes since the last one are lost), `none`, or `unknown` when CONFIG is
 * refused (managed Redis often renames or blocks it). BullMQ's production guide asks for
 * `appendonly yes` and `maxmemory-policy noeviction`.
 */
export type RedisPersistence = 'appendonly' | 'snapshots' | 'none' | 'unknown';

export interface RedisPersistenceReport {
  persistence: RedisPersistence;
  /** `noeviction` is what BullMQ needs; anything else may drop queued jobs under memory pressure. */
  maxmemoryPolicy: string | 'unknown';
}

/** Pure: CONFIG GET replies (flat [name, value, …] lists) as a report. */
export function persistenceFromConfig(appendonly: string[] | undefined, save: string[] | undefined, policy: string[] | undefined): RedisPersistenceReport {
  const value = (reply: string[] | undefined) => (reply && reply.length >= 2 ? reply[1] : undefined);
  const aof = value(appendonly);
  const points = value(save);
  const persistence: RedisPersistence = aof === undefined && points === undefined ? 'unknown' : aof === 'yes' ? 'appendonly' : points && points.trim() !== '' ? 'snapshots' : 'none';
  return { persistence, maxmemoryPolicy: value(policy) ?? 'unknown' };
}

export async function checkRedisPersistence(redis: Redis): Promise<RedisPersistenceReport> {
  const get = (name: string) => (redis.config('GET', name) as Promise<string[]>).catch(() => undefined);
  const [appendonly, save, policy] = await Promise.all([get('appendonly'), get('save'), get('maxmemory-policy')]);
  return persistenceFromConfig(appendonly, save, policy);
}
