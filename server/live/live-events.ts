import type { AuditLog } from '../audit-log';
import { fromEventDocument, type EventDocument } from '../events/event.document';
import type { TEventFilters } from '../events/event-filters.schema';
import { eventMatchesFilters } from '../events/event-match';
import type { TAuditEvent } from '../events/event.schema';
import type { RedisFanout } from './redis-fanout';

/**
 * Newly stored events, delivered to live views on every API instance. Each process publishes what
 * its own recorder wrote, one Redis message per tenant and batch; each instance's subscriptions
 * pick their tenant's topic and keep the events that match their filters.
 */
export interface LiveEvents {
  /** Yields the tenant's newly stored events that match `filters`, oldest first, until `signal` aborts. */
  stream(tenantId: string, filters: TEventFilters, signal: AbortSignal | undefined): AsyncGenerator<TAuditEvent>;
  /** Stops publishing this process's writes. */
  close(): void;
}

export const liveEventsTopic = (tenantId: string) => `tenant:${tenantId}`;

export function createLiveEvents(deps: { audit: AuditLog; fanout: RedisFanout<TAuditEvent[]> }): LiveEvents {
  const { audit, fanout } = deps;
  const publishWritten = (documents: EventDocument[]) => {
    for (const [tenantId, events] of byTenant(documents)) {
      fanout.publish(liveEventsTopic(tenantId), events).catch((error: unknown) => audit.logger.warn({ err: error, tenantId }, 'could not publish live audit events'));
    }
  };
  const stopPublishing = audit.onEventsWritten(publishWritten);

  return {
    async *stream(tenantId, filters, signal) {
      for await (const batch of fanout.stream(liveEventsTopic(tenantId), signal)) {
        // A batch is in write order; a view shows newest first, so it prepends them one by one.
        for (const event of batch) if (eventMatchesFilters(event, filters)) yield event;
      }
    },
    close: stopPublishing,
  };
}

function byTenant(documents: EventDocument[]): Map<string, TAuditEvent[]> {
  const groups = new Map<string, TAuditEvent[]>();
  for (const document of documents) {
    const group = groups.get(document.tenantId) ?? [];
    group.push(fromEventDocument(document));
    groups.set(document.tenantId, group);
  }
  return groups;
}
