import type { ObjectId } from 'mongodb';
import type { HostDatabase } from '../db/host-database';

/**
 * The full list of record ids a multi-record operation touched. An event keeps at most 100 ids;
 * when there are more, the whole list is stored here in chunks under the event's `affected.listId`.
 * The collection name starts with `audit_`, so the capture plugin never audits these writes.
 */
export const AFFECTED_RECORDS_COLLECTION = 'audit_affected_records';
const IDS_PER_CHUNK = 5_000;

interface AffectedRecordsChunk {
  _id: ObjectId;
  tenantId: string;
  listId: string;
  chunk: number;
  ids: string[];
}

export function createAffectedRecordsRepository(db: HostDatabase) {
  const collection = () => db.collection<AffectedRecordsChunk>(AFFECTED_RECORDS_COLLECTION);
  let indexed: Promise<unknown> | undefined;
  const ensureIndex = () =>
    (indexed ??= collection().then((chunks) => chunks.createIndex({ tenantId: 1, listId: 1, chunk: 1 }, { unique: true, name: 'tenant_list_chunk' })));

  return {
    newListId: (): string => db.objectId().toHexString(),

    async saveList(tenantId: string, listId: string, ids: readonly string[]): Promise<void> {
      await ensureIndex();
      const chunks: AffectedRecordsChunk[] = [];
      for (let start = 0, chunk = 0; start < ids.length; start += IDS_PER_CHUNK, chunk++) {
        chunks.push({ _id: db.objectId(), tenantId, listId, chunk, ids: ids.slice(start, start + IDS_PER_CHUNK) });
      }
      if (chunks.length > 0) await (await collection()).insertMany(chunks, { ordered: false });
    },

    async getList(tenantId: string, listId: string): Promise<string[]> {
      const chunks = await (await collection()).find({ tenantId, listId }).sort({ chunk: 1 }).toArray();
      return chunks.flatMap((chunk) => chunk.ids);
    },
  };
}

export type AffectedRecordsRepository = ReturnType<typeof createAffectedRecordsRepository>;
