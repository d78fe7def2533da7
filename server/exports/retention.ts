import type { Logger } from 'pino';
import type { NotificationRepository } from '../notifications';
import type { ExportRepository } from './export.repository';
import type { ExportStorage } from './export-storage';

export interface RetentionDeps {
  exports: ExportRepository;
  storage: ExportStorage;
  notifications: Pick<NotificationRepository, 'removeForExport'>;
}

/** Deletes expired export records, their files and their notifications, in batches. */
export async function removeExpiredExports(deps: RetentionDeps, logger: Pick<Logger, 'info'>, now = new Date()): Promise<{ removed: number }> {
  let removed = 0;
  for (;;) {
    const expired = await deps.exports.findExpiredAcrossTenants(now, 100);
    if (expired.length === 0) break;
    for (const record of expired) {
      const exportId = record._id.toHexString();
      const files = [record.file?.id, record.partialFileId].filter((id): id is string => !!id);
      await Promise.all(files.map((fileId) => deps.storage.remove(fileId)));
      await deps.notifications.removeForExport(record.tenantId, exportId);
      await deps.exports.remove(record.tenantId, exportId);
      removed++;
    }
  }
  if (removed > 0) logger.info({ removed }, 'expired exports removed');
  return { removed };
}
