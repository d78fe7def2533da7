import type { TAuditEventInput } from '../events';
import type { NotificationService } from '../notifications';
import { auditContext } from '../request-scope';
import type { ExportLinks } from './export-links';
import type { ExportDocument } from './export.model';
import type { ExportRepository } from './export.repository';

export interface ExportOutcomeDeps {
  exports: ExportRepository;
  links: ExportLinks;
  notifications: NotificationService;
  record: (event: TAuditEventInput) => string;
}

/**
 * What follows a finished attempt, once per outcome (callers only get here after winning the status
 * transition): the requester's notification (with a fresh download link) and an audit event of the
 * export itself, as the requester.
 */
export async function announceExportOutcome(deps: ExportOutcomeDeps, record: ExportDocument, outcome: 'completed' | 'failed', rows: number, reason?: string): Promise<void> {
  const exportId = record._id.toHexString();
  const fresh = await deps.exports.findById(record.tenantId, exportId);
  const format = record.format.toUpperCase();
  await deps.notifications.notify({
    tenantId: record.tenantId,
    user: { id: record.requester.id, email: record.requester.email },
    kind: outcome === 'completed' ? 'export.completed' : 'export.failed',
    dedupeKey: `export:${exportId}:${outcome}`,
    title: outcome === 'completed' ? 'Your audit log export is ready' : 'Your audit log export failed',
    body: outcome === 'completed' ? `${rows.toLocaleString('en-US')} events exported to ${format}.` : 'The export could not be completed. Please try again.',
    link: fresh?.status === 'completed' && fresh.file ? deps.links.signInUrl(fresh) : undefined,
    exportId,
  });
  auditContext.run({ tenantId: record.tenantId, actor: { id: record.requester.id, name: record.requester.name, type: 'user' }, request: {} }, () =>
    deps.record({
      action: 'audit_log.exported',
      subject: { type: 'audit_log_export', id: exportId },
      description: outcome === 'completed' ? `Exported ${rows} audit events to ${format}` : `Audit log export to ${format} failed`,
      status: outcome === 'completed' ? 'success' : 'failure',
      failureReason: outcome === 'failed' ? (reason || 'unknown error').slice(0, 1_000) : undefined,
      metadata: { format: record.format, rowCount: rows, filters: JSON.parse(JSON.stringify(record.filters)) as Record<string, string> },
    }),
  );
}
