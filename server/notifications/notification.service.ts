import { signWebhookBody } from '../common/webhook-signature';
import type { Logger } from 'pino';
import type { RedisFanout } from '../live';
import { toNotification, type NotificationDocument, type NotificationRepository } from './notification.repository';
import type { TNotification } from './notification.schema';

/** The stored notification's own fields, and the user it is for (with an e-mail address, when known). */
export type NotifyInput = Pick<NotificationDocument, 'tenantId' | 'kind' | 'dedupeKey' | 'title' | 'body' | 'link' | 'exportId'> & {
  user: { id: string; email?: string };
};

export interface NotificationChannels {
  /** Optional e-mail: a function that sends one message (nodemailer in production). */
  sendEmail?: (message: { to: string; subject: string; text: string }) => Promise<void>;
  /** Optional webhook: POSTed JSON, signed with HMAC-SHA256 over `<timestamp>.<body>`. */
  webhook?: { url: string; secret: string };
}

export const notificationTopic = (tenantId: string, userId: string) => `notifications:${tenantId}:${userId}`;

/**
 * Stores a notification once per outcome (a unique key), then delivers it live to whichever API
 * instance the user is connected to, and by e-mail and webhook when configured. A retried job that
 * notifies again finds the key taken and sends nothing.
 */
export function createNotificationService(deps: {
  notifications: NotificationRepository;
  fanout: RedisFanout<TNotification>;
  channels?: NotificationChannels;
  logger: Logger;
  clock?: () => Date;
}) {
  const clock = deps.clock ?? (() => new Date());
  return {
    async notify(input: NotifyInput): Promise<TNotification | null> {
      const stored = await deps.notifications.insertOnce({
        tenantId: input.tenantId,
        userId: input.user.id,
        kind: input.kind,
        dedupeKey: input.dedupeKey,
        title: input.title,
        body: input.body,
        link: input.link,
        exportId: input.exportId,
        createdAt: clock(),
      });
      if (!stored) return null;
      const notification = toNotification(stored);
      await deps.fanout.publish(notificationTopic(input.tenantId, input.user.id), notification);
      await Promise.all([sendEmail(input, deps.channels, deps.logger), callWebhook(input, notification, deps.channels, deps.logger, clock)]);
      return notification;
    },
  };
}

async function sendEmail(input: NotifyInput, channels: NotificationChannels | undefined, logger: Logger): Promise<void> {
  if (!channels?.sendEmail || !input.user.email) return;
  try {
    await channels.sendEmail({ to: input.user.email, subject: input.title, text: `${input.body}${input.link ? `\n\n${input.link}` : ''}` });
  } catch (error) {
    logger.warn({ err: error, dedupeKey: input.dedupeKey }, 'notification e-mail failed');
  }
}

async function callWebhook(input: NotifyInput, notification: TNotification, channels: NotificationChannels | undefined, logger: Logger, clock: () => Date) {
  if (!channels?.webhook) return;
  const timestamp = Math.floor(clock().getTime() / 1000);
  const body = JSON.stringify({ tenantId: input.tenantId, userId: input.user.id, ...notification });
  try {
    const response = await fetch(channels.webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-audit-timestamp': String(timestamp),
        'x-audit-signature': signWebhookBody(body, timestamp, channels.webhook.secret),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) logger.warn({ status: response.status, dedupeKey: input.dedupeKey }, 'notification webhook answered an error');
  } catch (error) {
    logger.warn({ err: error, dedupeKey: input.dedupeKey }, 'notification webhook failed');
  }
}

export type NotificationService = ReturnType<typeof createNotificationService>;
