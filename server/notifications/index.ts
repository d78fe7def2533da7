/** The notifications slice's public face. */
export { createNotificationRepository, NOTIFICATIONS_COLLECTION, type NotificationRepository } from './notification.repository';
export { createNotificationService, notificationTopic, type NotificationChannels, type NotificationService } from './notification.service';
export { notificationChannelsFrom, type NotificationChannelSettings } from './notification-channels';
export { createNotificationsRouter } from './notifications.router';
export type { TNotification } from './notification.schema';
