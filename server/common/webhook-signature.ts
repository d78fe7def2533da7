import { createHmac } from 'node:crypto';

/**
 * The signature every webhook we send carries (`x-audit-signature`, over `<timestamp>.<body>`):
 * export notifications and published checkpoints alike, so a receiver checks both one way.
 */
export function signWebhookBody(body: string, timestamp: number, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
