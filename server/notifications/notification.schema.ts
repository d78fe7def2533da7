import { z } from 'zod';
import { ZObjectIdHex } from '../common/object-id';

export const ZNotificationKind = z.enum(['export.completed', 'export.failed']);

export const ZNotification = z.object({
  id: z.string(),
  kind: ZNotificationKind,
  title: z.string(),
  body: z.string(),
  /** Where the notification leads, e.g. the export's download link. */
  link: z.string().optional(),
  exportId: z.string().optional(),
  createdAt: z.date(),
  readAt: z.date().optional(),
});

export const ZListNotificationsInput = z
  .object({ unreadOnly: z.boolean().default(false), limit: z.number().int().min(1).max(100).default(20) })
  .strict()
  .default({ unreadOnly: false, limit: 20 });
export const ZMarkReadInput = z
  .object({ ids: z.array(ZObjectIdHex('a notification id')).min(1).max(100) })
  .strict();

export type TNotification = z.infer<typeof ZNotification>;
export type TNotificationKind = z.infer<typeof ZNotificationKind>;
