import { ObjectId, type Db } from 'mongodb';
import { isDuplicateKeyError } from '../db/driver-errors';
import { ensureIndexes } from '../db/ensure-indexes';
import type { TNotification, TNotificationKind } from './notification.schema';

export const NOTIFICATIONS_COLLECTION = 'audit_notifications';

export interface NotificationDocument {
  _id: ObjectId;
  tenantId: string;
  userId: string;
  kind: TNotificationKind;
  /** One notification per outcome: a unique key such as `export:<id>:completed`. */
  dedupeKey: string;
  title: string;
  body: string;
  link?: string;
  exportId?: string;
  createdAt: Date;
  readAt?: Date;
}

export function toNotification({ _id, kind, title, body, link, exportId, createdAt, readAt }: NotificationDocument): TNotification {
  return { id: _id.toHexString(), kind, title, body, link, exportId, createdAt, readAt };
}

/** Tenant first, then the user: a notification is only ever read by the user it was for. */
export function createNotificationRepository(db: Db) {
  const collection = db.collection<NotificationDocument>(NOTIFICATIONS_COLLECTION);
  return {
    ensureIndexes: () =>
      ensureIndexes(collection, [
        { name: 'dedupe', key: { dedupeKey: 1 }, unique: true },
        { name: 'tenant_user_time', key: { tenantId: 1, userId: 1, createdAt: -1 } },
      ]),

    /** Null when a notification with this key exists already (a retried job, a second worker). */
    async insertOnce(notification: NotificationDocument): Promise<NotificationDocument | null> {
      try {
        await collection.insertOne(notification);
        return notification;
      } catch (error) {
        if (isDuplicateKeyError(error)) return null;
        throw error;
      }
    },

    list(tenantId: string, userId: string, { unreadOnly, limit }: { unreadOnly: boolean; limit: number }): Promise<NotificationDocument[]> {
      const filter = unreadOnly ? { tenantId, userId, readAt: { $exists: false } } : { tenantId, userId };
      return collection.find(filter).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray();
    },

    countUnread(tenantId: string, userId: string): Promise<number> {
      return collection.countDocuments({ tenantId, userId, readAt: { $exists: false } });
    },

    async markRead(tenantId: string, userId: string, ids: string[], now: Date): Promise<number> {
      const result = await collection.updateMany(
        { tenantId, userId, _id: { $in: ids.map((id) => new ObjectId(id)) }, readAt: { $exists: false } },
        { $set: { readAt: now } },
      );
      return result.modifiedCount;
    },

    async removeForExport(tenantId: string, exportId: string): Promise<void> {
      await collection.deleteMany({ tenantId, exportId });
    },
  };
}

export type NotificationRepository = ReturnType<typeof createNotificationRepository>;
