import type { Logger } from 'pino';
import type { RedisFanout } from '../live';
import { fromEventDocument, type EventDocument } from './event.document';
import type { TEventFilters } from './event-filters.schema';
import { eventMatchesFilters } from './event-match';
import type { TAuditEvent } from './event.schema';

/**
 * Newly stored events, delivered to live views on every API instance. Each process publishes what
 * its own recorder wrote, one Redis message per tenant and batch; each instance's subscriptions
 * pick their tenant's topic and keep the events that match their filters.
 *
 * Only tenants someone is watching are published (converting and sending every batch would cost
 * the writing process about 8 µs per event for nobody): an instance with open live views of a
 * tenant announces it on the watch channel when a view opens and then every `announceEveryMs`;
 * a starting instance asks for a roll call, so it learns of views opened before it started.
 */
export interface LiveEvents {
  /**
   * Yields the tenant's newly stored events that match `filters`, oldest first, until `signal`
   * aborts; `viewerId` (the watching caller) is whose reads `hideOwnReads` leaves out.
   */
  stream(tenantId: string, filters: TEventFilters, signal: AbortSignal | undefined, viewerId?: string): AsyncGenerator<TAuditEvent>;
  /** Whether this process currently publishes the tenant's writes. */
  isWatched(tenantId: string): boolean;
  /** Stops publishing this process's writes and announcing its views. */
  close(): void;
}

export type TWatchMessage = { kind: 'watching'; tenantId: string } | { kind: 'roll-call' };

export const liveEventsTopic = (tenantId: string) => `tenant:${tenantId}`;
const WATCH_TOPIC = 'watch';

export interface LiveEventsDeps {
  /** Calls the listener with each batch of events once stored; returns the function that removes it. */
  onEventsWritten(listener: (documents: EventDocument[]) => void): () => void;
  logger: Pick<Logger, 'warn'>;
  fanout: RedisFanout<TAuditEvent[]>;
  watch: RedisFanout<TWatchMessage>;
  announceEveryMs?: number;
  now?: () => number;
}

export function createLiveEvents(deps: LiveEventsDeps): LiveEvents {
  const { fanout, watch } = deps;
  const announceEveryMs = deps.announceEveryMs ?? 10_000;
  const now = deps.now ?? Date.now;
  // Three missed announcements before a tenant counts as unwatched: Redis hiccups do not drop views.
  const watchedFor = 3 * announceEveryMs;
  const watchedUntil = new Map<string, number>();
  const openViews = new Map<string, number>();

  const warn = (message: string) => (error: unknown) => deps.logger.warn({ err: error }, message);
  const announce = (tenantId: string) => void watch.publish(WATCH_TOPIC, { kind: 'watching', tenantId }).catch(warn('could not announce a live view'));
  const isWatched = (tenantId: string) => (watchedUntil.get(tenantId) ?? 0) > now();

  const stopListening = watch.subscribe(WATCH_TOPIC, (message) => {
    if (message.kind === 'watching') watchedUntil.set(message.tenantId, now() + watchedFor);
    else openViews.forEach((_, tenantId) => announce(tenantId));
  });
  // Only once this instance hears the watch channel: answers sent before would pass it by (the
  // "roll call" test failed under load that way).
  void watch.ready.then(() => watch.publish(WATCH_TOPIC, { kind: 'roll-call' })).catch(warn('could not ask for a roll call of live views'));
  const announcing = setInterval(() => openViews.forEach((_, tenantId) => announce(tenantId)), announceEveryMs);
  announcing.unref();

  const publishWritten = (documents: EventDocument[]) => {
    for (const [tenantId, group] of byTenant(documents)) {
      if (!isWatched(tenantId)) continue;
      fanout.publish(liveEventsTopic(tenantId), group.map(fromEventDocument)).catch(warn('could not publish live audit events'));
    }
  };
  const stopPublishing = deps.onEventsWritten(publishWritten);

  return {
    async *stream(tenantId, filters, signal, viewerId) {
      openViews.set(tenantId, (openViews.get(tenantId) ?? 0) + 1);
      // This instance's own writes count at once; the others hear it within a Redis round trip.
      watchedUntil.set(tenantId, now() + watchedFor);
      announce(tenantId);
      try {
        for await (const batch of fanout.stream(liveEventsTopic(tenantId), signal)) {
          // A batch is in write order; a view shows newest first, so it prepends them one by one.
          for (const event of batch) if (eventMatchesFilters(event, filters, viewerId)) yield event;
        }
      } finally {
        const left = (openViews.get(tenantId) ?? 1) - 1;
        if (left > 0) openViews.set(tenantId, left);
        else openViews.delete(tenantId);
      }
    },
    isWatched,
    close() {
      clearInterval(announcing);
      stopListening();
      stopPublishing();
    },
  };
}

function byTenant(documents: EventDocument[]): Map<string, EventDocument[]> {
  const groups = new Map<string, EventDocument[]>();
  for (const document of documents) {
    const group = groups.get(document.tenantId) ?? [];
    group.push(document);
    groups.set(document.tenantId, group);
  }
  return groups;
}
