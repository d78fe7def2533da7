import { ObjectId, type Db } from 'mongodb';
import { ensureIndexes } from '../db/ensure-indexes';
import { EXPORT_INDEXES, exportsCollection, type ExportDocument } from './export.model';

const toObjectId = (id: string) => new ObjectId(id);

/** Export records. Every method takes the tenant first; the retention sweep is the one cross-tenant read. */
export function createExportRepository(db: Db) {
  const collection = exportsCollection(db);

  return {
    ensureIndexes: () => ensureIndexes(collection, EXPORT_INDEXES.map(({ name, key }) => ({ name, key }))),

    async insert(record: ExportDocument): Promise<void> {
      await collection.insertOne(record);
    },

    findById(tenantId: string, exportId: string): Promise<ExportDocument | null> {
      return collection.findOne({ tenantId, _id: toObjectId(exportId) });
    },

    listForRequester(tenantId: string, requesterId: string, limit: number): Promise<ExportDocument[]> {
      return collection.find({ tenantId, 'requester.id': requesterId }).sort({ requestedAt: -1, _id: -1 }).limit(limit).toArray();
    },

    /** A new attempt starts: remember its file so a later attempt can remove it if this one dies. */
    async markRunning(tenantId: string, exportId: string, partialFileId: string, now: Date): Promise<ExportDocument | null> {
      return collection.findOneAndUpdate(
        { tenantId, _id: toObjectId(exportId), status: { $in: ['queued', 'running'] } },
        { $set: { status: 'running', partialFileId, startedAt: now, progress: { rows: 0, total: null } }, $inc: { attempts: 1 } },
        { returnDocument: 'after' },
      );
    },

    async setProgress(tenantId: string, exportId: string, progress: ExportDocument['progress']): Promise<void> {
      await collection.updateOne({ tenantId, _id: toObjectId(exportId), status: 'running' }, { $set: { progress } });
    },

    async complete(tenantId: string, exportId: string, file: NonNullable<ExportDocument['file']>, now: Date): Promise<boolean> {
      const result = await collection.updateOne(
        { tenantId, _id: toObjectId(exportId), status: 'running' },
        { $set: { status: 'completed', file, completedAt: now, progress: { rows: file.rows, total: file.rows } }, $unset: { partialFileId: '' } },
      );
      return result.modifiedCount === 1;
    },

    async fail(tenantId: string, exportId: string, reason: string, now: Date): Promise<boolean> {
      const result = await collection.updateOne(
        { tenantId, _id: toObjectId(exportId), status: { $in: ['queued', 'running'] } },
        { $set: { status: 'failed', failureReason: reason, completedAt: now }, $unset: { partialFileId: '' } },
      );
      return result.modifiedCount === 1;
    },

    /** Queued: cancelled at once. Running: flagged, and the worker stops within a second or so. */
    async requestCancel(tenantId: string, exportId: string, requesterId: string, now: Date): Promise<ExportDocument | null> {
      const filter = { tenantId, _id: toObjectId(exportId), 'requester.id': requesterId };
      await collection.updateOne({ ...filter, status: 'queued' }, { $set: { status: 'cancelled', cancelRequestedAt: now, completedAt: now } });
      await collection.updateOne({ ...filter, status: 'running' }, { $set: { cancelRequestedAt: now } });
      return collection.findOne(filter);
    },

    async markCancelled(tenantId: string, exportId: string, now: Date): Promise<void> {
      await collection.updateOne(
        { tenantId, _id: toObjectId(exportId), status: { $in: ['queued', 'running'] } },
        { $set: { status: 'cancelled', completedAt: now }, $unset: { partialFileId: '' } },
      );
    },

    async isCancelRequested(tenantId: string, exportId: string): Promise<boolean> {
      const record = await collection.findOne({ tenantId, _id: toObjectId(exportId) }, { projection: { cancelRequestedAt: 1, status: 1 } });
      return !record || record.status === 'cancelled' || record.cancelRequestedAt !== undefined;
    },

    findExpiredAcrossTenants(now: Date, limit: number): Promise<ExportDocument[]> {
      return collection.find({ expiresAt: { $lte: now } }).limit(limit).toArray();
    },

    async remove(tenantId: string, exportId: string): Promise<void> {
      await collection.deleteOne({ tenantId, _id: toObjectId(exportId) });
    },
  };
}

export type ExportRepository = ReturnType<typeof createExportRepository>;
