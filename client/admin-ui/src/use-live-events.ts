import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef, useState } from 'react';
import { describeLiveStatus } from './errors';
import type { TEventFiltersInput } from '../../../server/events/event-filters.schema';
import { useTRPC, type AuditEventView } from './trpc';

/** How many live events a view keeps above the loaded pages before the oldest fall off. */
const MAX_LIVE_EVENTS = 500;

/**
 * New events matching `filters`, newest first, from `auditLog.events.follow` (SSE). While paused the
 * stream stays open and events wait in `held`, so resuming loses nothing. A reconnecting stream
 * resumes after the last event it delivered; when the server says "reload" (it could not replay
 * what was missed), the live rows are dropped and `onReload` reads the pages again.
 */
export function useLiveEvents(filters: TEventFiltersInput, paused: boolean, onReload: () => void) {
  const trpc = useTRPC();
  const [shown, setShown] = useState<AuditEventView[]>([]);
  const [held, setHeld] = useState<AuditEventView[]>([]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const onReloadRef = useRef(onReload);
  onReloadRef.current = onReload;
  const [everConnected, setEverConnected] = useState(false);

  // Another view: what arrived for the previous filters does not belong to it.
  useEffect(() => {
    setShown([]);
    setHeld([]);
  }, [filters]);

  useEffect(() => {
    if (paused || held.length === 0) return;
    setShown((current) => [...held.toReversed(), ...current].slice(0, MAX_LIVE_EVENTS));
    setHeld([]);
  }, [paused, held]);

  const subscription = useSubscription(
    trpc.auditLog.events.follow.subscriptionOptions(filters, {
      onStarted: () => setEverConnected(true),
      onData: ({ data: message }) => {
        if (message.kind === 'reload') {
          setShown([]);
          setHeld([]);
          onReloadRef.current();
          return;
        }
        const { event } = message;
        if (pausedRef.current) setHeld((current) => [...current, event]);
        else setShown((current) => [event, ...current].slice(0, MAX_LIVE_EVENTS));
      },
    }),
  );

  return { events: shown, heldCount: held.length, status: subscription.status, error: subscription.error, problem: describeLiveStatus(subscription.status, everConnected) };
}
