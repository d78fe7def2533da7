import { ensureIndexes } from '../db/ensure-indexes';
import type { HostDatabase } from '../db/host-database';
import { EXPORT_INDEXES, EXPORTS_COLLECTION, type ExportDocument } from './export.model';

/** Export records. Every method takes the tenant first; the retention sweep is the one cross-tenant read. */
export function createExportRepository(db: HostDatabase) {
  const collection = () => db.collection<ExportDocument>(EXPORTS_COLLECTION);
  const toObjectId = (id: string) => db.objectId(id);

  return {
    /** The id of a record about to be created (the queue's job id too). */
    newId: () => db.objectId(),

    ensureIndexes: async () => ensureIndexes(await collection(), EXPORT_INDEXES.map(({ name, key }) => ({ name, key }))),

    async insert(record: ExportDocument): Promise<void> {
      await (await collection()).insertOne(record);
    },

    async findById(tenantId: string, exportId: string): Promise<ExportDocument | null> {
      return (await collection()).findOne({ tenantId, _id: toObjectId(exportId) });
    },

    async listForRequester(tenantId: string, requesterId: string, limit: number): Promise<ExportDocument[]> {
      return (await collection()).find({ tenantId, 'requester.id': requesterId }).sort({ requestedAt: -1, _id: -1 }).limit(limit).toArray();
    },

    /** A new attempt starts: remember its file so a later attempt can remove it if this one dies. */
    async markRunning(tenantId: string, exportId: string, partialFileId: string, now: Date): Promise<ExportDocument | null> {
      return (await collection()).findOneAndUpdate(
        { tenantId, _id: toObjectId(exportId), status: { $in: ['queued', 'running'] } },
        { $set: { status: 'running', partialFileId, startedAt: now, progress: { rows: 0, total: null } }, $inc: { attempts: 1 } },
        { returnDocument: 'after' },
      );
    },

    async setProgress(tenantId: string, exportId: string, progress: ExportDocument['progress']): Promise<void> {
      await (await collection()).updateOne({ tenantId, _id: toObjectId(exportId), status: 'running' }, { $set: { progress } });
    },

    async complete(tenantId: string, exportId: string, file: NonNullable<ExportDocument['file']>, now: Date): Promise<boolean> {
      const result = await (await collection()).updateOne(
        { tenantId, _id: toObjectId(exportId), status: 'running' },
        { $set: { status: 'completed', file, completedAt: now, progress: { rows: file.rows, total: file.rows } }, $unset: { partialFileId: '' } },
      );
      return result.modifiedCount === 1;
    },

    async fail(tenantId: string, exportId: string, reason: string, now: Date): Promise<boolean> {
      const result = await (await collection()).updateOne(
        { tenantId, _id: toObjectId(exportId), status: { $in: ['queued', 'running'] } },
        { $set: { status: 'failed', failureReason: reason, completedAt: now }, $unset: { partialFileId: '' } },
      );
      return result.modifiedCount === 1;
    },

    /** Queued: cancelled at once. Running: flagged, and the worker stops within a second or so. */
    async requestCancel(tenantId: string, exportId: string, requesterId: string, now: Date): Promise<ExportDocument | null> {
      const filter = { tenantId, _id: toObjectId(exportId), 'requester.id': requesterId };
      await (await collection()).updateOne({ ...filter, status: 'queued' }, { $set: { status: 'cancelled', cancelRequestedAt: now, completedAt: now } });
      await (await collection()).updateOne({ ...filter, status: 'running' }, { $set: { cancelRequestedAt: now } });
      return (await collection()).findOne(filter);
    },

    async markCancelled(tenantId: string, exportId: string, now: Date): Promise<void> {
      await (await collection()).updateOne(
        { tenantId, _id: toObjectId(exportId), status: { $in: ['queued', 'running'] } },
        { $set: { status: 'cancelled', completedAt: now }, $unset: { partialFileId: '' } },
      );
    },

    async isCancelRequested(tenantId: string, exportId: string): Promise<boolean> {
      const record = await (await collection()).findOne({ tenantId, _id: toObjectId(exportId) }, { projection: { cancelRequestedAt: 1, status: 1 } });
      return !record || record.status === 'cancelled' || record.cancelRequestedAt !== undefined;
    },

    async findExpiredAcrossTenants(now: Date, limit: number): Promise<ExportDocument[]> {
      return (await collection()).find({ expiresAt: { $lte: now } }).limit(limit).toArray();
    },

    /** The tenant's exports that have a file (finished or being written), oldest request first. */
    async findWithFiles(tenantId: string): Promise<ExportDocument[]> {
      return (await collection()).find({ tenantId, $or: [{ file: { $exists: true } }, { partialFileId: { $exists: true } }] }).sort({ requestedAt: 1 }).toArray();
    },

    /** The file is gone; the record stays (its requester sees why) until it expires. */
    async markFileRemoved(tenantId: string, exportId: string, removed: NonNullable<ExportDocument['removed']>): Promise<void> {
      await (await collection()).updateOne({ tenantId, _id: toObjectId(exportId) }, { $set: { removed }, $unset: { file: '', partialFileId: '' } });
    },

    async remove(tenantId: string, exportId: string): Promise<void> {
      await (await collection()).deleteOne({ tenantId, _id: toObjectId(exportId) });
    },
  };
}

export type ExportRepository = ReturnType<typeof createExportRepository>;
