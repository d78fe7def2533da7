import type { Filter } from 'mongodb';
import { ensureIndexes } from '../db/ensure-indexes';
import type { HostDatabase } from '../db/host-database';
import { escapeRegex } from '../events';
import { EXPORT_INDEXES, EXPORTS_COLLECTION, type ExportDocument } from './export.model';

const UNFINISHED: ExportDocument['status'][] = ['queued', 'running'];
/** A character that cannot be part of an e-mail address: what bounds a whole address in a text. */
const NOT_IN_ADDRESS = '[^a-z0-9._%+\\-@]';

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

    /** Exports still queued or running: the tenant's, and among them the requester's. */
    async countUnfinished(tenantId: string, requesterId: string): Promise<{ tenant: number; requester: number }> {
      const unfinished = { tenantId, status: { $in: UNFINISHED } };
      const [tenant, requester] = await Promise.all([
        (await collection()).countDocuments(unfinished),
        (await collection()).countDocuments({ ...unfinished, 'requester.id': requesterId }),
      ]);
      return { tenant, requester };
    },

    /** A new attempt starts: remember its file so a later attempt can remove it if this one dies. */
    async markRunning(tenantId: string, exportId: string, partialFileId: string, now: Date): Promise<ExportDocument | null> {
      return (await collection()).findOneAndUpdate(
        { tenantId, _id: toObjectId(exportId), status: { $in: ['queued', 'running'] } },
        { $set: { status: 'running', partialFileId, startedAt: now, heartbeatAt: now, progress: { rows: 0, total: null } }, $inc: { attempts: 1 } },
        { returnDocument: 'after' },
      );
    },

    async setProgress(tenantId: string, exportId: string, progress: ExportDocument['progress'], now: Date): Promise<void> {
      await (await collection()).updateOne({ tenantId, _id: toObjectId(exportId), status: 'running' }, { $set: { progress, heartbeatAt: now } });
    },

    async complete(tenantId: string, exportId: string, file: NonNullable<ExportDocument['file']>, now: Date): Promise<boolean> {
      const result = await (await collection()).updateOne(
        // A cancel that landed first wins: the attempt then ends cancelled (see requestCancel).
        { tenantId, _id: toObjectId(exportId), status: 'running', cancelRequestedAt: { $exists: false } },
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

    /**
     * Queued: cancelled at once. Running: flagged, and the worker stops within a second or so; its
     * completion is conditional on no flag, so the answer is never "running" followed by a file.
     * Each step is one conditional update: whatever the worker does meanwhile, the record returned
     * is either cancelled, flagged, or already finished.
     */
    async requestCancel(tenantId: string, exportId: string, requesterId: string, now: Date): Promise<ExportDocument | null> {
      const filter = { tenantId, _id: toObjectId(exportId), 'requester.id': requesterId };
      const after = { returnDocument: 'after' } as const;
      const exports = await collection();
      return (
        (await exports.findOneAndUpdate({ ...filter, status: 'queued' }, { $set: { status: 'cancelled', cancelRequestedAt: now, completedAt: now } }, after)) ??
        (await exports.findOneAndUpdate({ ...filter, status: 'running' }, { $set: { cancelRequestedAt: now } }, after)) ??
        (await exports.findOne(filter))
      );
    },

    async markCancelled(tenantId: string, exportId: string, now: Date): Promise<void> {
      await (await collection()).updateOne(
        { tenantId, _id: toObjectId(exportId), status: { $in: ['queued', 'running'] } },
        { $set: { status: 'cancelled', completedAt: now }, $unset: { partialFileId: '' } },
      );
    },

    /** The requester stops every link of a finished export from working (the file stays until it expires). */
    async revokeDownloads(tenantId: string, exportId: string, requesterId: string, now: Date): Promise<ExportDocument | null> {
      const filter = { tenantId, _id: toObjectId(exportId), 'requester.id': requesterId };
      await (await collection()).updateOne({ ...filter, downloadsRevokedAt: { $exists: false } }, { $set: { downloadsRevokedAt: now } });
      return (await collection()).findOne(filter);
    },

    async isCancelRequested(tenantId: string, exportId: string): Promise<boolean> {
      const record = await (await collection()).findOne({ tenantId, _id: toObjectId(exportId) }, { projection: { cancelRequestedAt: 1, status: 1 } });
      return !record || record.status === 'cancelled' || record.cancelRequestedAt !== undefined;
    },

    /** Queued and running exports of every tenant, oldest first: reconciliation's one cross-tenant read. */
    async findUnfinishedAcrossTenants(limit: number): Promise<ExportDocument[]> {
      return (await collection()).find({ status: { $in: UNFINISHED } }).sort({ requestedAt: 1, _id: 1 }).limit(limit).toArray();
    },

    async findExpiredAcrossTenants(now: Date, limit: number): Promise<ExportDocument[]> {
      return (await collection()).find({ expiresAt: { $lte: now } }).limit(limit).toArray();
    },

    /** The tenant's exports that have a file (finished or being written), oldest request first. */
    async findWithFiles(tenantId: string): Promise<ExportDocument[]> {
      return (await collection()).find({ tenantId, $or: [{ file: { $exists: true } }, { partialFileId: { $exists: true } }] }).sort({ requestedAt: 1 }).toArray();
    },

    /**
     * An erasure: the records the person requested (by id or e-mail), and those whose search text
     * holds one of their e-mail addresses as a whole address, each with what names them.
     */
    async findNaming(tenantId: string, requesterIds: readonly string[], emails: readonly string[]): Promise<Array<{ record: ExportDocument; requester: boolean; search: boolean }>> {
      const exactly = emails.map((email) => `^${escapeRegex(email)}$`);
      const within = emails.map((email) => `(^|${NOT_IN_ADDRESS})${escapeRegex(email)}($|${NOT_IN_ADDRESS})`);
      const naming: Filter<ExportDocument>[] = [];
      if (requesterIds.length > 0) naming.push({ 'requester.id': { $in: [...requesterIds] } });
      for (const pattern of exactly) naming.push({ 'requester.email': { $regex: pattern, $options: 'i' } });
      for (const pattern of within) naming.push({ 'filters.search': { $regex: pattern, $options: 'i' } });
      if (naming.length === 0) return [];
      const matches = (text: string | undefined, patterns: string[]) => text !== undefined && patterns.some((pattern) => new RegExp(pattern, 'i').test(text));
      return (await (await collection()).find({ tenantId, $or: naming }).toArray()).map((record) => ({
        record,
        requester: requesterIds.includes(record.requester.id) || matches(record.requester.email, exactly),
        search: matches(record.filters.search, within),
      }));
    },

    /** The requester's name and e-mail, and a search text, replaced by what an erasure leaves. */
    async eraseNames(tenantId: string, exportId: string, erase: { requester: boolean; search: boolean }, marker: string): Promise<void> {
      const set: Record<string, string> = {};
      if (erase.requester) set['requester.name'] = marker;
      if (erase.search) set['filters.search'] = marker;
      const unset = erase.requester ? { 'requester.email': '' as const } : undefined;
      await (await collection()).updateOne({ tenantId, _id: toObjectId(exportId) }, { ...(Object.keys(set).length > 0 ? { $set: set } : {}), ...(unset ? { $unset: unset } : {}) });
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
