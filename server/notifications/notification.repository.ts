import type { ObjectId } from 'mongodb';
import { isDuplicateKeyError } from '../db/driver-errors';
import { ensureIndexes } from '../db/ensure-indexes';
import type { HostDatabase } from '../db/host-database';
import type { TNotification } from './notification.schema';

export const NOTIFICATIONS_COLLECTION = 'audit_notifications';

/** A notification as stored: what the API shows (ZNotification) plus who it is for and its once-only key. */
export type NotificationDocument = Omit<TNotification, 'id'> & {
  _id: ObjectId;
  tenantId: string;
  userId: string;
  /** One notification per outcome: a unique key such as `export:<id>:completed`. */
  dedupeKey: string;
};

export function toNotification({ _id, kind, title, body, link, exportId, createdAt, readAt }: NotificationDocument): TNotification {
  return { id: _id.toHexString(), kind, title, body, link, exportId, createdAt, readAt };
}

/** Tenant first, then the user: a notification is only ever read by the user it was for. */
export function createNotificationRepository(db: HostDatabase) {
  const collection = () => db.collection<NotificationDocument>(NOTIFICATIONS_COLLECTION);
  return {
    ensureIndexes: async () =>
      ensureIndexes(await collection(), [
        { name: 'dedupe', key: { dedupeKey: 1 }, unique: true },
        { name: 'tenant_user_time', key: { tenantId: 1, userId: 1, createdAt: -1 } },
      ]),

    /** Null when a notification with this key exists already (a retried job, a second worker). */
    async insertOnce(fields: Omit<NotificationDocument, '_id'>): Promise<NotificationDocument | null> {
      const notification: NotificationDocument = { _id: db.objectId(), ...fields };
      try {
        await (await collection()).insertOne(notification);
        return notification;
      } catch (error) {
        if (isDuplicateKeyError(error)) return null;
        throw error;
      }
    },

    async list(tenantId: string, userId: string, { unreadOnly, limit }: { unreadOnly: boolean; limit: number }): Promise<NotificationDocument[]> {
      const filter = unreadOnly ? { tenantId, userId, readAt: { $exists: false } } : { tenantId, userId };
      return (await collection()).find(filter).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray();
    },

    async countUnread(tenantId: string, userId: string): Promise<number> {
      return (await collection()).countDocuments({ tenantId, userId, readAt: { $exists: false } });
    },

    async markRead(tenantId: string, userId: string, ids: string[], now: Date): Promise<number> {
      const result = await (await collection()).updateMany(
        { tenantId, userId, _id: { $in: ids.map((id) => db.objectId(id)) }, readAt: { $exists: false } },
        { $set: { readAt: now } },
      );
      return result.modifiedCount;
    },

    async removeForExport(tenantId: string, exportId: string): Promise<void> {
      await (await collection()).deleteMany({ tenantId, exportId });
    },
  };
}

export type NotificationRepository = ReturnType<typeof createNotificationRepository>;
