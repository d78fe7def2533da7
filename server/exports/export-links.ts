import { z } from 'zod';
import { signedTokens } from '../common/signed-tokens';
import type { ExportDocument } from './export.model';

/**
 * Download links are signed, expiring and tied to the requester: `<payload>.<hmac>`, both base64url.
 * Signing and checking are pure, so forging, tampering and expiry are unit-tested without a server.
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

/** The download route, relative to where the audit log's express router is mounted. */
export const DOWNLOAD_ROUTE = '/exports/:id/download';
export const downloadPath = (exportId: string, token: string) => `/exports/${exportId}/download?token=${encodeURIComponent(token)}`;
/** The file's signed manifest, beside it: the same link token opens it. */
export const MANIFEST_ROUTE = '/exports/:id/manifest';
export const manifestPath = (exportId: string, token: string) => `/exports/${exportId}/manifest?token=${encodeURIComponent(token)}`;
export const manifestFileName = (fileName: string) => `${fileName.replace(/\.[a-z]+$/, '')}.manifest.json`;

/** In-app links live minutes: the page asks for a fresh one with each read of the export. */
export const DEFAULT_LINK_LIFETIME_MS = 15 * 60 * 1000;

export interface ExportLinksOptions {
  secret: string;
  lifetimeMs?: number;
  /**
   * Where the download route is reached, e.g. `https://crm.example.com/audit-log` (the host's public
   * URL and the path it mounts the audit log's express router at); a path alone gives links
   * relative to the host.
   */
  linkBase: string;
  clock: () => Date;
}

/** Mints a fresh link each time an export is read, and checks the ones that come back. */
export function createExportLinks({ secret, linkBase, clock, lifetimeMs = DEFAULT_LINK_LIFETIME_MS }: ExportLinksOptions) {
  return {
    sign: (claims: TDownloadClaims) => signDownloadToken(claims, secret),
    /** The in-app link: signed, tied to the requester, short-lived (`lifetimeMs`, or the file's own expiry if sooner); the session is checked too. */
    downloadUrl(record: ExportDocument, path: typeof downloadPath = downloadPath): string {
      const expiresAt = Math.min(record.expiresAt.getTime(), clock().getTime() + lifetimeMs);
      const exportId = record._id.toHexString();
      const token = signDownloadToken({ exportId, tenantId: record.tenantId, requesterId: record.requester.id, expiresAt }, secret);
      return `${linkBase}${path(exportId, token)}`;
    },
    /** The signed manifest's link (same token rules as the file's). */
    manifestUrl(record: ExportDocument): string {
      return this.downloadUrl(record, manifestPath);
    },
    /**
     * The link of e-mails and webhooks: no token, nothing a reader of the message can use; it leads
     * through the host's sign-in and downloads for the requester's session.
     */
    signInUrl: (record: ExportDocument): string => `${linkBase}/exports/${record._id.toHexString()}/download`,
    check: (token: string): DownloadLinkCheck => verifyDownloadToken(token, secret, clock()),
  };
}

export type ExportLinks = ReturnType<typeof createExportLinks>;
