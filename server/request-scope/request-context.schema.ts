import { z } from 'zod';
import { boundedText, identifier, TEXT_LIMITS } from '../common/bounded-text';

/**
 * Who acts and from where: what a request scope carries and every event records. The event schema
 * (events/event.schema.ts) is built from these.
 */
export const ZActorType = z.enum(['user', 'api_key', 'system']);
export const ZActor = z.object({
  id: identifier(),
  name: boundedText(TEXT_LIMITS.nameLength).optional(),
  email: z.string().max(320).optional(),
  type: ZActorType.default('user'),
  role: identifier(64).optional(),
});

export const ZDeviceType = z.enum(['desktop', 'mobile', 'tablet', 'bot', 'unknown']);
export const ZRequestContext = z.object({
  ip: z.string().max(64).optional(),
  userAgent: boundedText(TEXT_LIMITS.userAgentLength).optional(),
  deviceType: ZDeviceType.optional(),
  browser: z.string().max(100).optional(),
  os: z.string().max(100).optional(),
  sessionId: z.string().max(200).optional(),
  requestId: z.string().max(200).optional(),
});

export type TActor = z.infer<typeof ZActor>;
export type TActorInput = z.input<typeof ZActor>;
export type TRequestContext = z.infer<typeof ZRequestContext>;
export type TDeviceType = z.infer<typeof ZDeviceType>;
