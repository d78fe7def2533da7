import type { Logger } from 'pino';
import type { ConnectedServices } from '../services';

/** Deletes expired export records, their files and their notifications, in batches. */
export async function removeExpiredExports(services: ConnectedServices, logger: Logger, now = new Date()): Promise<{ removed: number }> {
  let removed = 0;
  for (;;) {
    const expired = await services.exports.repository.findExpiredAcrossTenants(now, 100);
    if (expired.length === 0) break;
    for (const record of expired) {
      const exportId = record._id.toHexString();
      const files = [record.file?.id, record.partialFileId].filter((id): id is string => !!id);
      await Promise.all(files.map((fileId) => services.exports.storage.remove(fileId)));
      await services.notifications.repository.removeForExport(record.tenantId, exportId);
      await services.exports.repository.remove(record.tenantId, exportId);
      removed++;
    }
  }
  if (removed > 0) logger.info({ removed }, 'expired exports removed');
  return { removed };
}
