import { isStaleOwner, namespaceDirectory, STALE_HEARTBEAT_MS, type WalOwner } from '../../server/recorder/wal-directory';
import { persistenceFromConfig } from '../../server/recorder/redis-persistence';
import { durabilityOf } from '../../server/recorder/durability';

const me: WalOwner = { hostname: 'pod-a', pid: 1, processStartedAt: 1_000_000 };
const alive = () => true;
const dead = () => false;

describe('whose write-ahead segments may be taken over', () => {
  it('takes a dead process of this host, and never a live one', () => {
    expect(isStaleOwner({ hostname: 'pod-a', pid: 42, processStartedAt: 5 }, 0, me, dead)).toBe(true);
    expect(isStaleOwner({ hostname: 'pod-a', pid: 42, processStartedAt: 5 }, 0, me, alive)).toBe(false);
  });

  it('takes an earlier process that had this pid (pid 1 after a container restart), not a sibling in this process', () => {
    expect(isStaleOwner({ hostname: 'pod-a', pid: 1, processStartedAt: 900_000 }, 0, me, alive)).toBe(true);
    expect(isStaleOwner({ hostname: 'pod-a', pid: 1, processStartedAt: 1_000_000 }, 0, me, alive)).toBe(false);
  });

  it('takes an owner that closed with events left at once, and another host only once its heartbeat is old', () => {
    expect(isStaleOwner({ hostname: 'pod-a', pid: 1, processStartedAt: 1_000_000, closed: true }, 0, me, alive)).toBe(true);
    expect(isStaleOwner({ hostname: 'pod-b', pid: 7, processStartedAt: 5 }, STALE_HEARTBEAT_MS - 1, me, dead)).toBe(false);
    expect(isStaleOwner({ hostname: 'pod-b', pid: 7, processStartedAt: 5 }, STALE_HEARTBEAT_MS + 1, me, alive)).toBe(true);
  });

  it('keeps each database in a folder of its own, with a safe name', () => {
    expect(namespaceDirectory('/wal', 'crm_prod')).toBe('/wal/crm_prod');
    expect(namespaceDirectory('/wal', '../etc')).toBe('/wal/.._etc');
  });
});

describe('Redis persistence from CONFIG GET', () => {
  it('says appendonly, snapshots or none from the replies', () => {
    expect(persistenceFromConfig(['appendonly', 'yes'], ['save', ''], ['maxmemory-policy', 'noeviction'])).toEqual({ persistence: 'appendonly', maxmemoryPolicy: 'noeviction' });
    expect(persistenceFromConfig(['appendonly', 'no'], ['save', '3600 1 300 100'], ['maxmemory-policy', 'allkeys-lru']).persistence).toBe('snapshots');
    expect(persistenceFromConfig(['appendonly', 'no'], ['save', ''], undefined)).toEqual({ persistence: 'none', maxmemoryPolicy: 'unknown' });
  });

  it('says unknown when CONFIG is refused (managed Redis)', () => {
    expect(persistenceFromConfig(undefined, undefined, undefined)).toEqual({ persistence: 'unknown', maxmemoryPolicy: 'unknown' });
  });
});

describe('durability options', () => {
  it('defaults to durable mode with a directory under the working directory', () => {
    expect(durabilityOf(undefined)).toEqual({ mode: 'durable', directory: `${process.cwd()}/.crm-audit-log/wal` });
  });

  it('refuses an unknown mode with a zod message', () => {
    expect(() => durabilityOf({ mode: 'fast' as 'durable' })).toThrow(/mode/);
  });
});
