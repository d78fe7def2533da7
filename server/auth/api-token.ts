import { z } from 'zod';
import { ZAuditCaller, type TAuditCaller } from '../access';
import { signedTokens } from '../common/signed-tokens';

/**
 * Bearer tokens for the standalone API: the host signs them with the shared API_TOKEN_SECRET.
 * Format: `v1.<base64url(JSON payload)>.<base64url(HMAC-SHA256(secret, "v1." + payload))>`,
 * payload `{ tenantId, actorId, actorName?, role, exp }` with `exp` in Unix seconds.
 */
export const ZApiTokenPayload = ZAuditCaller.extend({ exp: z.number().int().positive() }).strict();
export type TApiTokenPayload = z.infer<typeof ZApiTokenPayload>;

const VERSION = 'v1';
const apiTokens = (secret: string) => signedTokens(secret, { label: VERSION, version: VERSION });

/** For hosts (and tests): a token valid for `ttlSeconds` (default one hour). */
export function signApiToken(caller: TAuditCaller, secret: string, options: { ttlSeconds?: number; now?: Date } = {}): string {
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return apiTokens(secret).seal(ZApiTokenPayload.parse({ ...caller, exp: nowSeconds + (options.ttlSeconds ?? 3600) }));
}

/** The caller a valid, unexpired token names; null for anything else (the API answers UNAUTHORIZED). */
export function verifyApiToken(token: string, secret: string, now: Date = new Date()): TAuditCaller | null {
  const payload = ZApiTokenPayload.safeParse(apiTokens(secret).open(token));
  if (!payload.success || payload.data.exp * 1000 <= now.getTime()) return null;
  const { exp: _exp, ...caller } = payload.data;
  return caller;
}

/** `Authorization: Bearer <token>` → the token, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9._-]{1,4096})$/.exec(header ?? '');
  return match?.[1];
}
