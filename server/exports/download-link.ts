import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Download links are signed, expiring and tied to the requester: `<payload>.<hmac>`, both base64url.
 * Pure, so forging, tampering and expiry are unit-tested without a server.
 */
const ZLinkClaims = z.object({ exportId: z.string(), tenantId: z.string(), requesterId: z.string(), expiresAt: z.number().int() }).strict();
export type TDownloadClaims = z.infer<typeof ZLinkClaims>;

export type DownloadLinkCheck = { ok: true; claims: TDownloadClaims } | { ok: false; reason: 'forged' | 'expired' };

const sign = (payload: string, secret: string) => createHmac('sha256', secret).update(`audit-export-link.${payload}`).digest('base64url');

export function signDownloadToken(claims: TDownloadClaims, secret: string): string {
  const payload = Buffer.from(JSON.stringify(ZLinkClaims.parse(claims))).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

export function verifyDownloadToken(token: string, secret: string, now: Date): DownloadLinkCheck {
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0 || token.length > 1_024) return { ok: false, reason: 'forged' };
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'forged' };
  let claims: TDownloadClaims;
  try {
    claims = ZLinkClaims.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'forged' };
  }
  if (claims.expiresAt <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
