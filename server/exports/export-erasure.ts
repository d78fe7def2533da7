import { eventMatchesFilters, type TAuditEvent } from '../events';
import type { ExportRepository } from './export.repository';
import type { ExportStorage } from './export-storage';

export const ERASURE_REMOVAL_MESSAGE = 'This export was removed: it held personal data that has since been erased';

export interface ExportErasureDeps {
  exports: Pick<ExportRepository, 'findWithFiles' | 'markFileRemoved'>;
  storage: Pick<ExportStorage, 'remove'>;
}

/**
 * After an erasure: every export file of the tenant that held one of the erased events (as they read
 * before the erasure) is removed, and its record says why. An export holds the events that match its
 * filters and were received up to its request (export-attempt.ts's snapshot), so that is the test;
 * a file still being written is removed too, and its export then fails like any lost file.
 */
export async function removeExportsHoldingErasedEvents(deps: ExportErasureDeps, tenantId: string, erasedEvents: readonly TAuditEvent[], now: Date): Promise<number> {
  if (erasedEvents.length === 0) return 0;
  let removed = 0;
  for (const record of await deps.exports.findWithFiles(tenantId)) {
    const held = erasedEvents.some((event) => event.receivedAt <= record.requestedAt && eventMatchesFilters(event, { ...record.filters, to: earlier(record.filters.to, record.requestedAt) }));
    if (!held) continue;
    const files = [record.file?.id, record.partialFileId].filter((id): id is string => !!id);
    await Promise.all(files.map((fileId) => deps.storage.remove(fileId)));
    await deps.exports.markFileRemoved(tenantId, record._id.toHexString(), { reason: 'erasure', at: now, message: ERASURE_REMOVAL_MESSAGE });
    removed++;
  }
  return removed;
}

function earlier(to: Date | undefined, requestedAt: Date): Date {
  return to && to < requestedAt ? to : requestedAt;
}
