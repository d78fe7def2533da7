import type { Logger } from 'pino';
import type { RedisFanout } from '../live';
import { fromEventDocument, type EventDocument } from './event.document';
import type { TEventFilters } from './event-filters.schema';
import type { TAuditEvent } from './event.schema';
import { parsePosition, type LivePosition } from './live-events.schema';
import type { LiveReplayRepository } from './live-replay.repository';
import { createLiveView, type LiveView, type TrackedLiveMessage, type TReplayed } from './live-view';

/**
 * Newly stored events, delivered to live views on every API instance. Each process publishes what
 * its own recorder wrote, one Redis message per tenant and batch; each instance's subscriptions
 * pick their tenant's topic and keep the events that match their filters.
 *
 * Only tenants someone is watching are published (converting and sending every batch would cost
 * the writing process about 8 µs per event for nobody): an instance with open live views of a
 * tenant announces it on the watch channel when a view opens and then every `announceEveryMs`;
 * a starting instance asks for a roll call, so it learns of views opened before it started.
 *
 * Nothing is silently missed: when this instance's Redis subscription comes back after a drop (a
 * Redis restart, a blip), each tenant with open views reads once from MongoDB what was received
 * since shortly before the drop, and every view delivers what it has not (ids are remembered); a
 * client that reconnects names its last position and gets what followed. Where that cannot be
 * read (more than `maxReplay` events, MongoDB failing), the view says "reload" instead.
 */
export interface LiveEvents {
  /**
   * Yields the tenant's newly stored events that match `filters`, oldest first, each once, until
   * `signal` aborts, with the position after each; or a reload message when events may have been
   * missed. `viewerId` (the watching caller) is whose reads `hideOwnReads` leaves out; `resumeFrom`
   * a position it yielded before (a reconnect): what followed it comes first.
   */
  stream(tenantId: string, filters: TEventFilters, signal: AbortSignal | undefined, options?: { viewerId?: string; resumeFrom?: string | null }): AsyncGenerator<TrackedLiveMessage>;
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
  replay: Pick<LiveReplayRepository, 'receivedSince'>;
  /**
   * Admits a replay read as one of the tenant's reads (the read limiter): a client reconnecting in a
   * loop costs what searching would. Refused (busy): the view says reload. Resolves with the release.
   */
  admitReplay?: (tenantId: string) => Promise<() => void>;
  /** More missed events than this: the view says "reload" (default 1,000). */
  maxReplay?: number;
  /**
   * How long before a drop a replay starts reading (default 5 s): an event received just before it
   * may have been stored, and published, during it.
   */
  replayMarginMs?: number;
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
  const maxReplay = deps.maxReplay ?? 1_000;
  const replayMarginMs = deps.replayMarginMs ?? 5_000;
  const openViews = new Map<string, Set<{ view: LiveView; openedAt: number }>>();

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
  const readMissed = async (tenantId: string, since: Date): Promise<TReplayed> => {
    let release: (() => void) | undefined;
    try {
      release = await deps.admitReplay?.(tenantId);
    } catch {
      return { reload: 'the server is busy with other reads of this workspace' };
    }
    try {
      const { events, more } = await deps.replay.receivedSince(tenantId, { since, limit: maxReplay });
      return more ? { reload: `more than ${maxReplay} events arrived while live updates were interrupted` } : { events };
    } catch (error) {
      warn('could not read the live events missed during an interruption')(error);
      return { reload: 'the events missed during an interruption could not be read' };
    } finally {
      release?.();
    }
  };
  // Announce first, so writers that stopped publishing during a long outage start again, then one read per tenant.
  const stopReplaying = fanout.onResumed((lostAt) => {
    for (const [tenantId, views] of openViews) {
      announce(tenantId);
      const read = readMissed(tenantId, new Date(lostAt - replayMarginMs));
      for (const { view, openedAt } of views) view.push({ kind: 'missed', position: { since: new Date(Math.max(openedAt, lostAt - replayMarginMs)) }, read });
    }
  });
  const announcing = setInterval(() => openViews.forEach((_, tenantId) => announce(tenantId)), announceEveryMs);
  announcing.unref();

  const publishWritten = (documents: EventDocument[]) => {
    for (const [tenantId, group] of byTenant(documents)) {
      if (!isWatched(tenantId)) continue;
      fanout.publish(liveEventsTopic(tenantId), group.map(fromEventDocument)).catch(warn('could not publish live audit events'));
    }
  };
  const stopPublishing = deps.onEventsWritten(publishWritten);

  const resumeInput = (tenantId: string, token: string) => {
    const position: LivePosition | undefined = parsePosition(token);
    const read: Promise<TReplayed> = position ? readMissed(tenantId, position.since) : Promise.resolve({ reload: 'the position to resume from is unknown' });
    return { kind: 'missed' as const, position: position ?? { since: new Date(now()) }, read };
  };

  return {
    async *stream(tenantId, filters, signal, options = {}) {
      const view = createLiveView(filters, options.viewerId, now);
      const opened = { view, openedAt: now() };
      const views = openViews.get(tenantId) ?? new Set();
      views.add(opened);
      openViews.set(tenantId, views);
      // Listening before the resume read starts: what is published meanwhile waits behind it.
      const stopHearing = fanout.subscribe(liveEventsTopic(tenantId), (events) => view.push({ kind: 'batch', events }));
      // This instance's own writes count at once; the others hear it within a Redis round trip.
      watchedUntil.set(tenantId, now() + watchedFor);
      announce(tenantId);
      if (options.resumeFrom) view.push(resumeInput(tenantId, options.resumeFrom));
      try {
        yield* view.messages(signal);
      } finally {
        stopHearing();
        views.delete(opened);
        if (views.size === 0) openViews.delete(tenantId);
      }
    },
    isWatched,
    close() {
      clearInterval(announcing);
      stopReplaying();
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
