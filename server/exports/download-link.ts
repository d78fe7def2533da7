import { z } from 'zod';
import { signedTokens } from '../common/signed-tokens';

/**
 * Download links are signed, expiring and tied to the requester: `<payload>.<hmac>`, both base64url.
 * Pure, so forging, tampering and expiry are unit-tested without a server.
 */
const ZLinkClaims = z.object({ exportId: z.string(), tenantId: z.string(), requesterId: z.string(), expiresAt: z.number().int() }).strict();
export type TDownloadClaims = z.infer<typeof ZLinkClaims>;

export type DownloadLinkCheck = { ok: true; claims: TDownloadClaims } | { ok: false; reason: 'forged' | 'expired' };

const linkTokens = (secret: string) => signedTokens(secret, { label: 'audit-export-link' });

export function signDownloadToken(claims: TDownloadClaims, secret: string): string {
  return linkTokens(secret).seal(ZLinkClaims.parse(claims));
}

export function verifyDownloadToken(token: string, secret: string, now: Date): DownloadLinkCheck {
  const claims = ZLinkClaims.safeParse(linkTokens(secret).open(token, { maxLength: 1_024 }));
  if (!claims.success) return { ok: false, reason: 'forged' };
  if (claims.data.expiresAt <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims: claims.data };
}
