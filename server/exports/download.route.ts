import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { TAuditEventInput } from '../events';
import { auditContext } from '../request-scope';
import type { TAuditCaller } from '../access';
import { DOWNLOAD_ROUTE, type ExportLinks } from './export-links';
import type { ExportRepository } from './export.repository';
import type { ExportStorage } from './export-storage';
import { isObjectIdHex } from '../common/object-id';

export interface DownloadRouteDeps {
  exports: ExportRepository;
  storage: ExportStorage;
  links: ExportLinks;
  record: (event: TAuditEventInput) => string;
  logger: Logger;
  /** When the host knows who is signed in: a different user than the requester gets 403. */
  resolveCaller?: (req: Request) => TAuditCaller | null | undefined | Promise<TAuditCaller | null | undefined>;
  clock?: () => Date;
}

const fail = (res: Response, status: number, message: string) => res.status(status).type('text/plain').send(message);

/**
 * GET <mount path>/exports/:id/download?token=…: streams an export file to the holder of a signed,
 * expiring link made for its requester. Forged or foreign: 403; unknown: 404; expired: 410.
 * Every download is itself an audit event, with the file's SHA-256.
 */
export function createExportDownloadRouter(deps: DownloadRouteDeps): Router {
  const clock = deps.clock ?? (() => new Date());
  const routes = Router();

  routes.get(DOWNLOAD_ROUTE, async (req, res) => {
    const exportId = String(req.params.id);
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    if (!isObjectIdHex(exportId)) return fail(res, 404, 'No such export');
    const check = deps.links.check(token);
    if (!check.ok) return check.reason === 'expired' ? fail(res, 410, 'This download link has expired') : fail(res, 403, 'Invalid download link');
    const { claims } = check;
    if (claims.exportId !== exportId) return fail(res, 403, 'Invalid download link');
    const caller = await deps.resolveCaller?.(req);
    if (caller && (caller.tenantId !== claims.tenantId || caller.actorId !== claims.requesterId)) {
      return fail(res, 403, 'This download link belongs to another user');
    }

    const record = await deps.exports.findById(claims.tenantId, exportId);
    if (!record || record.requester.id !== claims.requesterId) return fail(res, 404, 'No such export');
    if (record.expiresAt <= clock()) return fail(res, 410, 'This export has expired');
    if (record.removed) return fail(res, 410, record.removed.message);
    if (record.status !== 'completed' || !record.file) return fail(res, 404, 'This export has no file yet');
    const { file } = record;

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
