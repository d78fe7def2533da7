import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { TAuditEventInput } from '../events';
import { auditContext } from '../request-scope';
import type { TAuditCaller } from '../access';
import { DOWNLOAD_ROUTE, MANIFEST_ROUTE, manifestFileName, type ExportLinks, type TDownloadClaims } from './export-links';
import type { ExportDocument } from './export.model';
import type { ExportRepository } from './export.repository';
import type { ExportStorage } from './export-storage';
import { isObjectIdHex } from '../common/object-id';
import { withReturnTo } from '../http/admin-page.config';

export interface DownloadRouteDeps {
  exports: ExportRepository;
  storage: ExportStorage;
  links: ExportLinks;
  record: (event: TAuditEventInput) => string;
  logger: Logger;
  /** Who is signed in, from the host's session or token: only the requester may download, and only while allowed to read. */
  resolveCaller: (req: Request) => TAuditCaller | null | undefined | Promise<TAuditCaller | null | undefined>;
  canRead: (caller: TAuditCaller) => boolean;
  /** The host's sign-in page (`{returnTo}` becomes the download's path): a browser with no session is sent there. */
  signInUrl?: string;
  clock?: () => Date;
}

const fail = (res: Response, status: number, message: string) => res.status(status).type('text/plain').send(message);
const refuse = (res: Response, status: number, message: string): null => {
  fail(res, status, message);
  return null;
};

/**
 * GET <mount path>/exports/:id/download[?token=…]: streams an export file to its requester, signed in
 * now and still allowed to read the log. No session: 401, or a browser is sent to the host's sign-in
 * page, which comes back here. With a token (the in-app link) it must be valid too: forged or
 * foreign 403, expired 410; without one (the sign-in link of e-mails and webhooks) the session alone
 * decides. Another user: 403; unknown: 404; expired or revoked: 410. Every download is itself an
 * audit event, with the file's SHA-256. `/exports/:id/manifest` answers
 * the file's signed manifest, under the same rules.
 */
export function createExportDownloadRouter(deps: DownloadRouteDeps): Router {
  const clock = deps.clock ?? (() => new Date());
  const routes = Router();

  /** The export a link opens, for its requester (the access rules of both routes); null once the answer is sent. */
  const authorisedExport = async (req: Request, res: Response): Promise<{ record: ExportDocument; file: NonNullable<ExportDocument['file']>; claims: Pick<TDownloadClaims, 'tenantId' | 'requesterId'> } | null> => {
    const exportId = String(req.params.id);
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (!isObjectIdHex(exportId)) return refuse(res, 404, 'No such export');
    const check = token === undefined ? undefined : deps.links.check(token);
    if (check && !check.ok) return check.reason === 'expired' ? refuse(res, 410, 'This download link has expired') : refuse(res, 403, 'Invalid download link');
    if (check?.ok && check.claims.exportId !== exportId) return refuse(res, 403, 'Invalid download link');
    const caller = await deps.resolveCaller(req);
    if (!caller) {
      askToSignIn(req, res, deps.signInUrl);
      return null;
    }
    if (check?.ok && (caller.tenantId !== check.claims.tenantId || caller.actorId !== check.claims.requesterId)) {
      return refuse(res, 403, 'This download link belongs to another user');
    }
    if (!deps.canRead(caller)) return refuse(res, 403, 'You are not allowed to download audit log exports');

    const record = await deps.exports.findById(caller.tenantId, exportId);
    if (!record || record.requester.id !== caller.actorId) return refuse(res, 404, 'No such export');
    if (record.expiresAt <= clock()) return refuse(res, 410, 'This export has expired');
    if (record.removed) return refuse(res, 410, record.removed.message);
    if (record.downloadsRevokedAt) return refuse(res, 410, 'Downloads of this export were revoked');
    if (record.status !== 'completed' || !record.file) return refuse(res, 404, 'This export has no file yet');
    return { record, file: record.file, claims: { tenantId: caller.tenantId, requesterId: caller.actorId } };
  };

  // The signed manifest of the file (docs/INTEGRITY.md): the same link and the same rules as the file.
  routes.get(MANIFEST_ROUTE, async (req, res) => {
    const found = await authorisedExport(req, res);
    if (!found) return;
    if (!found.file.manifest) return fail(res, 404, 'This export has no signed manifest (the log is not signed on this server)');
    res.status(200);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${manifestFileName(found.file.fileName)}"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.send(`${JSON.stringify(found.file.manifest, null, 2)}\n`);
  });

  routes.get(DOWNLOAD_ROUTE, async (req, res) => {
    const found = await authorisedExport(req, res);
    if (!found) return;
    const { record, file, claims } = found;
    const exportId = record._id.toHexString();

    const request = { ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 1_024), requestId: res.locals.requestId as string | undefined };
    auditContext.run({ tenantId: claims.tenantId, actor: { id: claims.requesterId, name: record.requester.name }, request }, () =>
      deps.record({
        action: 'audit_log.export_downloaded',
        subject: { type: 'audit_log_export', id: exportId, name: file.fileName },
        description: `Downloaded audit log export ${file.fileName}`,
        metadata: { sha256: file.sha256, bytes: file.bytes, rows: file.rows, format: record.format },
      }),
    );

    res.status(200);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Length', String(file.bytes));
    res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    try {
      await pipeline(deps.storage.open(file.id), res);
    } catch (error) {
      deps.logger.warn({ err: error, exportId }, 'export download interrupted');
      if (!res.headersSent) fail(res, 500, 'Download failed');
      else res.destroy();
    }
  });
  return routes;
}

/** A browser goes to the host's sign-in page and comes back to this download; anything else is told to sign in. */
function askToSignIn(req: Request, res: Response, signInUrl: string | undefined) {
  if (signInUrl && req.accepts(['text/plain', 'text/html']) === 'text/html') {
    // Back to the same download, without the in-app token: the session decides after sign-in.
    const returnTo = `${req.baseUrl}${req.path}`;
    return res.redirect(303, withReturnTo(signInUrl, returnTo));
  }
  res.setHeader('WWW-Authenticate', 'Bearer');
  return fail(res, 401, 'Sign in to download this export');
}
