import { ERASED_MARKER, eventMatchesFilters, type ErasedPerson, type TAuditEvent } from '../events';
import type { ExportRepository } from './export.repository';
import type { ExportStorage } from './export-storage';

export const ERASURE_REMOVAL_MESSAGE = 'This export was removed: it held personal data that has since been erased';

export interface ExportErasureDeps {
  exports: Pick<ExportRepository, 'findWithFiles' | 'markFileRemoved' | 'findNaming' | 'eraseNames' | 'markCancelled'>;
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

/**
 * After an erasure: export records name nobody erased. A record the person requested keeps its
 * requester's id (who asked stays answerable, as in events) but loses the name and e-mail; a search
 * text holding one of their addresses becomes the marker. An export still queued or running with
 * such a search is cancelled: run on with the marker it would answer a different question.
 */
export async function eraseNamesInExportRecords(deps: ExportErasureDeps, tenantId: string, person: ErasedPerson, now: Date): Promise<number> {
  let scrubbed = 0;
  for (const { record, requester, search } of await deps.exports.findNaming(tenantId, person)) {
    const exportId = record._id.toHexString();
    const alreadyErased = record.requester.name === ERASED_MARKER && record.requester.email === undefined;
    if (!search && (!requester || alreadyErased)) continue;
    if (search && (record.status === 'queued' || record.status === 'running')) await deps.exports.markCancelled(tenantId, exportId, now);
    await deps.exports.eraseNames(tenantId, exportId, { requester: requester && !alreadyErased, search }, ERASED_MARKER);
    scrubbed++;
  }
  return scrubbed;
}

function earlier(to: Date | undefined, requestedAt: Date): Date {
  return to && to < requestedAt ? to : requestedAt;
}
