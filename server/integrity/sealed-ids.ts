import type { ObjectId } from 'mongodb';

/** Reads the ids (hex) of a tenant's seals with positions in [from, to). */
export type LoadSealedIds = (tenantId: string, from: number, to: number) => Promise<string[]>;

/**
 * The ids of each tenant's sealed events, kept by a sealer process so that a batch need not read
 * every seal (on FerretDB v1 a scan of all of them: ~2 s at 30,000). Exact by construction: the
 * sealed events of a log of size n are the seals at positions 0 … n−1 (seals are written before
 * the commit that moves the size past them), so the set is brought up to the log's current size by
 * reading only the positions another sealer committed since (a takeover), and a batch this process
 * commits is added as it commits.
 */
export function createSealedIds(load: LoadSealedIds) {
  const byTenant = new Map<string, { size: number; ids: Set<string> }>();

  return {
    /** The ids sealed in a log of this size. */
    async upTo(tenantId: string, size: number): Promise<Set<string>> {
      let known = byTenant.get(tenantId);
      // A log smaller than what was seen (rewritten: verify reports it) is read again from the start.
      if (!known || known.size > size) byTenant.set(tenantId, (known = { size: 0, ids: new Set() }));
      if (known.size < size) {
        for (const id of await load(tenantId, known.size, size)) known.ids.add(id);
        known.size = size;
      }
      return known.ids;
    },

    /** A batch this process committed: positions from … from + ids.length − 1. */
    committed(tenantId: string, from: number, ids: ObjectId[]): void {
      const known = byTenant.get(tenantId);
      if (!known || known.size !== from) return void byTenant.delete(tenantId);
      for (const id of ids) known.ids.add(id.toHexString());
      known.size = from + ids.length;
    },
  };
}
