import type { ExportRepository } from './export.repository';
import type { ExportStorage } from './export-storage';

export interface ExportFileRemovalDeps {
  exports: ExportRepository;
  storage: ExportStorage;
  clock: () => Date;
}

/**
 * Removes the files of a tenant's exports requested within a range (e.g. every export made after an
 * erased event was received: it may hold the erased values). The records stay, with no file and
 * their downloads revoked, so the requester sees why the link no longer works.
 */
export async function removeExportFiles(deps: ExportFileRemovalDeps, tenantId: string, range: { requestedAfter?: Date; requestedBefore?: Date }): Promise<{ removed: number }> {
  let removed = 0;
  for (const record of await deps.exports.findWithFiles(tenantId, range)) {
    await deps.storage.remove(record.file!.id);
    await deps.exports.dropFile(tenantId, record._id.toHexString(), deps.clock());
    removed++;
  }
  return { removed };
}
