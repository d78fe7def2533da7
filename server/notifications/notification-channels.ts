import nodemailer from 'nodemailer';
import type { TConfig } from '../config';
import type { NotificationChannels } from './notification.service';

/** E-mail when SMTP_URL and SMTP_FROM are set; a signed webhook when WEBHOOK_URL and WEBHOOK_SECRET are. */
export function notificationChannelsFromConfig(config: TConfig): NotificationChannels {
  const channels: NotificationChannels = {};
  if (config.SMTP_URL && config.SMTP_FROM) {
    const transport = nodemailer.createTransport(config.SMTP_URL);
    const from = config.SMTP_FROM;
    channels.sendEmail = async ({ to, subject, text }) => void (await transport.sendMail({ from, to, subject, text }));
  }
  if (config.WEBHOOK_URL && config.WEBHOOK_SECRET) channels.webhook = { url: config.WEBHOOK_URL, secret: config.WEBHOOK_SECRET };
  return channels;
}
