import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ZAuditCaller, type TAuditCaller } from '../trpc';

/**
 * Bearer tokens for the standalone API: the host signs them with the shared API_TOKEN_SECRET.
 * Format: `v1.<base64url(JSON payload)>.<base64url(HMAC-SHA256(secret, "v1." + payload))>`,
 * payload `{ tenantId, actorId, actorName?, role, exp }` with `exp` in Unix seconds.
 */
export const ZApiTokenPayload = ZAuditCaller.extend({ exp: z.number().int().positive() }).strict();
export type TApiTokenPayload = z.infer<typeof ZApiTokenPayload>;

const VERSION = 'v1';

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(`${VERSION}.${payload}`).digest('base64url');
}

/** For hosts (and tests): a token valid for `ttlSeconds` (default one hour). */
export function signApiToken(caller: TAuditCaller, secret: string, options: { ttlSeconds?: number; now?: Date } = {}): string {
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const payload = ZApiTokenPayload.parse({ ...caller, exp: nowSeconds + (options.ttlSeconds ?? 3600) });
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${VERSION}.${encoded}.${mac(secret, encoded)}`;
}

/** The caller a valid, unexpired token names; null for anything else (the API answers UNAUTHORIZED). */
export function verifyApiToken(token: string, secret: string, now: Date = new Date()): TAuditCaller | null {
  const [version, encoded, signature, ...rest] = token.split('.');
  if (version !== VERSION || !encoded || !signature || rest.length > 0) return null;
  const expected = Buffer.from(mac(secret, encoded));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const payload = ZApiTokenPayload.safeParse(parsed);
  if (!payload.success || payload.data.exp * 1000 <= now.getTime()) return null;
  const { exp: _exp, ...caller } = payload.data;
  return caller;
}

/** `Authorization: Bearer <token>` → the token, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9._-]{1,4096})$/.exec(header ?? '');
  return match?.[1];
}
