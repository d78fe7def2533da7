import pino from 'pino';
import { lazyModule } from '../../server/common/lazy-module';
import type { EventDocument } from '../../server/events/event.document';
import type { CaptureAdapter, CapturedEntry } from './capture';
import type { BenchUser } from './contact-records';

/**
 * Loaded by the hosts that install crm-audit-log only: every bench host imports this file (through
 * host-variants.ts), and the audit-off host must not hold the package's modules and heap, or the
 * ratios would hide what loading the package costs a host (issue 17).
 */
const ours = lazyModule(() => ({
  ...(require('../../plugins') as typeof import('../../plugins')),
  ...(require('../../server/events/event.model') as typeof import('../../server/events/event.model')),
  ...(require('../../server/events/affected-records.repository') as typeof import('../../server/events/affected-records.repository')),
  ...(require('../../server/events/event.document') as typeof import('../../server/events/event.document')),
}));

const KINDS: Record<string, CapturedEntry['kind']> = { 'record.created': 'created', 'record.deleted': 'deleted', 'record.updated': 'updated', 'records.bulk_edited': 'updated' };

/**
 * crm-audit-log as INSTALL.md installs it: createAuditLog on the host's connection, the plugin on the
 * schema (with `pluginOptions`), the request context before the routes.
 */
function ourCapture(id: string, label: string, pluginOptions: { afterValuesOnly?: boolean } = {}): CaptureAdapter {
  return {
    id,
    label,
    get store() {
      return ours().AUDIT_EVENTS_COLLECTION;
    },
    get otherStores() {
      return [ours().AFFECTED_RECORDS_COLLECTION];
    },
    writes: 'after the response',
    install({ connection, schema }) {
      // BENCH_FLUSH_INTERVAL_MS / BENCH_BATCH_SIZE / BENCH_DURABILITY (durable, buffered, memory) try other recorder settings than the defaults.
      const flushIntervalMs = Number(process.env.BENCH_FLUSH_INTERVAL_MS) || undefined;
      const batchSize = Number(process.env.BENCH_BATCH_SIZE) || undefined;
      const mode = process.env.BENCH_DURABILITY as 'durable' | 'buffered' | 'memory' | undefined;
      const auditLog = ours().createAuditLog({
        connection,
        logger: pino({ level: 'silent' }),
        recorder: { ...(flushIntervalMs && { flushIntervalMs }), ...(batchSize && { batchSize }) },
        ...(mode && { durability: { mode } }),
        resolveActor: (req) => {
          const user = (req as { user?: BenchUser }).user;
          return user ? { tenantId: user.tenantId, actor: { id: user.id, name: user.name, email: user.email, role: user.role } } : null;
        },
      });
      schema.plugin(auditLog.plugin, pluginOptions);
      return { requestContext: auditLog.requestContext, ready: auditLog.ready, flush: () => auditLog.flush(), close: () => auditLog.close() };
    },
    normalise(stored) {
      const affected = stored.affected as { count: number; ids: string[] } | undefined;
      const subject = stored.subject as { id: string };
      const changes = ours().fromEventDocument(stored as unknown as EventDocument).changes;
      return {
        recordIds: affected ? affected.ids : [subject.id],
        recordCount: affected ? affected.count : 1,
        kind: KINDS[String(stored.action)] ?? 'updated',
        fields: changes.map((change) => ({
          path: change.field,
          hasBefore: change.before !== undefined,
          hasAfter: change.after !== undefined,
          before: change.before as unknown,
          after: change.after as unknown,
        })),
        actor: (stored.actor as { id?: string } | undefined)?.id,
      };
    },
  };
}

export const OUR_CAPTURE = ourCapture('ours', 'crm-audit-log');
/** The per-model option for hosts that prefer speed to full diffs (docs/HOOKS.md, "After-values only"). */
export const OUR_AFTER_VALUES_CAPTURE = ourCapture('ours-after-values', 'crm-audit-log (afterValuesOnly)', { afterValuesOnly: true });
