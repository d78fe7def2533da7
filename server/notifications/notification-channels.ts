import type { NotificationChannels } from './notification.service';

export interface NotificationChannelSettings {
  /** E-mail through SMTP (nodemailer, an optional peer dependency loaded only when this is set). */
  email?: { smtpUrl: string; from: string };
  /** A signed JSON POST per notification. */
  webhook?: { url: string; secret: string };
}

/** E-mail when `email` is set; a signed webhook when `webhook` is. */
export function notificationChannelsFrom(settings: NotificationChannelSettings = {}): NotificationChannels {
  const channels: NotificationChannels = {};
  if (settings.email) {
    const { smtpUrl, from } = settings.email;
    let transport: Promise<{ sendMail(message: object): Promise<unknown> }> | undefined;
    channels.sendEmail = async ({ to, subject, text }) => {
      transport ??= loadNodemailer().then((nodemailer) => nodemailer.createTransport(smtpUrl));
      await (await transport).sendMail({ from, to, subject, text });
    };
  }
  if (settings.webhook) channels.webhook = settings.webhook;
  return channels;
}

async function loadNodemailer(): Promise<{ createTransport(url: string): { sendMail(message: object): Promise<unknown> } }> {
  try {
    const loaded = (await import('nodemailer')) as unknown as { default?: unknown; createTransport?: unknown };
    return (loaded.createTransport ? loaded : loaded.default) as Awaited<ReturnType<typeof loadNodemailer>>;
  } catch {
    throw new Error('crm-audit-log: e-mail notifications need the nodemailer package (npm install nodemailer)');
  }
}
