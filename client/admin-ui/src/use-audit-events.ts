import { useInfiniteQuery } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { describeReadError, isBusyError } from './errors';
import type { TEventFiltersInput } from '../../../server/events/event-filters.schema';
import { useTRPC, useTRPCClient, type AuditEventView } from './trpc';
import { useLiveEvents } from './use-live-events';

const PAGE_SIZE = 50;

/** What the events area shows: one state at a time, never "loading" beside rows. */
export type AuditEventsView =
  | { kind: 'loading' }
  /** `title` and `detail` in plain words (a busy server, a search that took too long); `retry` asks again now. */
  | { kind: 'error'; title: string; detail: string; retry: () => void }
  | { kind: 'empty' }
  | {
      kind: 'ready';
      /** Live arrivals first, then the loaded pages, newest first, each event once. */
      events: AuditEventView[];
      /** Of `events`, those that arrived live (highlighted). */
      liveIds: ReadonlySet<string>;
      /** Whether anything arrived live for this view at all. */
      hasLive: boolean;
      more: { available: boolean; loading: boolean; error: string | null; load: () => void };
    };

/**
 * The events of one view (filters): newest-first pages on the keyset cursor, with the live stream
 * merged above them (events already on a page are not shown twice). While `paused`, live events are
 * held and counted instead. `error` is the list's own, for the caller's access handling.
 * `labelsReady`: whether the action catalog has answered (or failed, and labels fall back to words).
 */
export function useAuditEvents(filters: TEventFiltersInput, { paused, labelsReady }: { paused: boolean; labelsReady: boolean }) {
  const trpc = useTRPC();
  const trpcClient = useTRPCClient();
  // Built by hand rather than with infiniteQueryOptions, which adds a `direction` key that the
  // strict list input refuses; the cursor is ours (keyset, newest first, one direction only).
  const pages = useInfiniteQuery({
    queryKey: [...trpc.auditLog.events.list.queryKey(), 'pages', filters],
    queryFn: ({ pageParam }) => trpcClient.auditLog.events.list.query({ ...filters, limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
  // "Reload" from the live stream: events may have been missed, so the pages are read again.
  const reload = useCallback(() => void pages.refetch(), [pages.refetch]);
  const live = useLiveEvents(filters, paused, reload);

  const merged = useMemo(() => {
    const loaded = pages.data?.pages.flatMap((page) => page.items) ?? [];
    const loadedIds = new Set(loaded.map((event) => event.id));
    const fresh = live.events.filter((event) => !loadedIds.has(event.id));
    return { events: [...fresh, ...loaded], liveIds: new Set(fresh.map((event) => event.id)) };
  }, [pages.data, live.events]);

  const view = ((): AuditEventsView => {
    // A first read the server refused as too many at once is retried after its wait: say so meanwhile.
    if (pages.isPending && isBusyError(pages.failureReason)) return { kind: 'error', ...describeReadError(pages.failureReason, true), retry: () => void pages.refetch() };
    // Rows wait for the action labels too: a raw `user.login` is never shown beside a label.
    if (pages.isPending || !labelsReady) return { kind: 'loading' };
    // A failed "load more" or refetch keeps what was loaded.
    if (!pages.data) return { kind: 'error', ...describeReadError(pages.error, false), retry: () => void pages.refetch() };
    if (merged.events.length === 0) return { kind: 'empty' };
    return {
      kind: 'ready',
      ...merged,
      hasLive: live.events.length > 0,
      more: {
        available: pages.hasNextPage,
        loading: pages.isFetchingNextPage,
        error: pages.isFetchNextPageError ? describeReadError(pages.error, false).title : null,
        load: () => void pages.fetchNextPage(),
      },
    };
  })();

  return { view, error: pages.error, live: { status: live.status, heldCount: live.heldCount, problem: live.problem } };
}
