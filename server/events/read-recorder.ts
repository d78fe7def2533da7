import type { Logger } from 'pino';
import type { TAuditCaller } from '../access';
import type { TAuditEventInput } from './event.schema';
import { filtersDigest } from './event-cursor';
import type { TEventFilters } from './event-filters.schema';
import { OWN_READ_ACTION } from './event-query';

export interface ReadRecorderOptions {
  record: (event: TAuditEventInput) => string;
  logger: Logger;
  /** One "audit log searched" event per caller and filters per window: paging does not flood the log. */
  throttleMs?: number;
  clock?: () => number;
  /** Bound on remembered searches (per process); the oldest are forgotten first. */
  maxRemembered?: number;
}

/** Reading the audit log is itself audited: who searched for what, and who opened which event. */
export function createReadRecorder(options: ReadRecorderOptions) {
  const throttleMs = options.throttleMs ?? 60_000;
  const maxRemembered = options.maxRemembered ?? 10_000;
  const clock = options.clock ?? Date.now;
  const lastRecorded = new Map<string, number>();

  function shouldRecord(key: string): boolean {
    const now = clock();
    const previous = lastRecorded.get(key);
    if (previous !== undefined && now - previous < throttleMs) return false;
    lastRecorded.delete(key);
    lastRecorded.set(key, now);
    if (lastRecorded.size > maxRemembered) lastRecorded.delete(lastRecorded.keys().next().value as string);
    return true;
  }

  function record(caller: TAuditCaller, requestId: string, description: string, metadata: Record<string, unknown>): void {
    try {
      options.record({
        tenantId: caller.tenantId,
        actor: { id: caller.actorId, name: caller.actorName, role: caller.role },
        action: OWN_READ_ACTION,
        description,
        context: { requestId },
        metadata: JSON.parse(JSON.stringify(metadata)) as Record<string, never>,
      });
    } catch (error) {
      // A read must not fail because its own audit record could not be queued; the failure is loud in the logs.
      options.logger.error({ err: error, requestId, tenantId: caller.tenantId }, 'could not record an audit-log read');
    }
  }

  return {
    searched(caller: TAuditCaller, filters: TEventFilters, requestId: string): void {
      if (!shouldRecord(`${caller.tenantId}\u0000${caller.actorId}\u0000search\u0000${filtersDigest(filters)}`)) return;
      record(caller, requestId, 'Searched the audit log', { filters });
    },
    opened(caller: TAuditCaller, eventId: string, requestId: string): void {
      if (!shouldRecord(`${caller.tenantId}\u0000${caller.actorId}\u0000event\u0000${eventId}`)) return;
      record(caller, requestId, 'Opened an audit log event', { eventId });
    },
  };
}

export type ReadRecorder = ReturnType<typeof createReadRecorder>;
