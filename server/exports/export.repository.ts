import type { Filter } from 'mongodb';
import { ensureIndexes } from '../db/ensure-indexes';
import type { HostDatabase } from '../db/host-database';
import { containsAddress, escapeRegex, type ErasedPerson } from '../events';
import { EXPORT_INDEXES, EXPORTS_COLLECTION, type ExportDocument } from './export.model';

const UNFINISHED: ExportDocument['status'][] = ['queued', 'running'];

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
     * holds one of their e-mail addresses as a whole address, each with what names them. The query
     * finds candidates by substring; `containsAddress` (the events' own rule) decides.
     */
    async findNaming(tenantId: string, person: ErasedPerson): Promise<Array<{ record: ExportDocument; requester: boolean; search: boolean }>> {
      const naming: Filter<ExportDocument>[] = [];
      if (person.userIds.length > 0) naming.push({ 'requester.id': { $in: [...person.userIds] } });
      for (const email of person.emails) {
        const pattern = { $regex: escapeRegex(email), $options: 'i' };
        naming.push({ 'requester.email': pattern }, { 'filters.search': pattern });
      }
      if (naming.length === 0) return [];
      const isTheirAddress = (text: string | undefined) => text !== undefined && person.emails.includes(text.trim().toLowerCase());
      const holdsTheirAddress = (text: string | undefined) => text !== undefined && person.emails.some((email) => containsAddress(text.toLowerCase(), email));
      return (await (await collection()).find({ tenantId, $or: naming }).toArray()).map((record) => ({
        record,
        requester: person.userIds.includes(record.requester.id) || isTheirAddress(record.requester.email),
        search: holdsTheirAddress(record.filters.search),
      }));
    },

    /** The requester's name and e-mail, and/or a search text, replaced by what an erasure leaves. */
    async eraseNames(tenantId: string, exportId: string, erase: { requester: boolean; search: boolean }, marker: string): Promise<void> {
      const update = {
        $set: { ...(erase.requester && { 'requester.name': marker }), ...(erase.search && { 'filters.search': marker }) },
        ...(erase.requester && { $unset: { 'requester.email': '' as const } }),
      };
      await (await collection()).updateOne({ tenantId, _id: toObjectId(exportId) }, update);
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
