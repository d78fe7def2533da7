import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useRef, useState } from 'react';
import { NotAllowedPage, SignOutLink, useSessionCheckOn } from './session';
import { trpcErrorCode } from './errors';
import { EventDetail } from './EventDetail';
import { EventsTable } from './EventsTable';
import { ExportMenu, RecentExports } from './exports';
import { FiltersBar } from './FiltersBar';
import { NotificationsBell } from './NotificationsBell';
import { InlineState } from './states';
import { useTRPC, useTRPCClient, type AuditEventView, type SignedInUser } from './trpc';
import { useLiveEvents } from './use-live-events';
import { useUrlFilters } from './use-url-filters';
import { hasFilters, toEventFilters } from './view-filters';

const PAGE_SIZE = 50;

/** The audit log: filters, live events above the newest-first pages, detail panel, exports, notifications. */
export function AuditLogPage({ user }: { user: SignedInUser }) {
  const trpc = useTRPC();
  const trpcClient = useTRPCClient();
  const [applied, apply] = useUrlFilters();
  const filters = useMemo(() => toEventFilters(applied), [applied]);
  const [paused, setPaused] = useState(false);
  const [selected, setSelected] = useState<AuditEventView | null>(null);
  const openedRow = useRef<string | null>(null);

  // Built by hand rather than with infiniteQueryOptions, which adds a `direction` key that the
  // strict list input refuses; the cursor is ours (keyset, newest first, one direction only).
  const pages = useInfiniteQuery({
    queryKey: [...trpc.auditLog.events.list.queryKey(), 'pages', filters],
    queryFn: ({ pageParam }) => trpcClient.auditLog.events.list.query({ ...filters, limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
  const live = useLiveEvents(filters, paused);
  const catalog = useQuery(trpc.auditLog.events.actions.queryOptions(undefined, { staleTime: Infinity }));
  const labels = useMemo(() => new Map(catalog.data?.map((action) => [action.name, action.label])), [catalog.data]);
  const actionLabel = useCallback((action: string) => labels.get(action) ?? action, [labels]);

  const { events, liveIds } = useMemo(() => {
    const loaded = pages.data?.pages.flatMap((page) => page.items) ?? [];
    const loadedIds = new Set(loaded.map((event) => event.id));
    const fresh = live.events.filter((event) => !loadedIds.has(event.id));
    return { events: [...fresh, ...loaded], liveIds: new Set(fresh.map((event) => event.id)) };
  }, [pages.data, live.events]);

  const open = useCallback((event: AuditEventView) => {
    openedRow.current = event.id;
    setSelected(event);
  }, []);
  const close = useCallback(() => {
    setSelected(null);
    // Back to the row the panel was opened from, for keyboard users.
    const id = openedRow.current;
    if (id) requestAnimationFrame(() => document.querySelector<HTMLElement>(`tr[data-event-id="${id}"]`)?.focus());
  }, []);

  useSessionCheckOn(pages.error);

  if (trpcErrorCode(pages.error) === 'FORBIDDEN') return <NotAllowedPage name={user.name} />;

  return (
    <div className="app">
      <header className="topbar">
        <div className="topbar-title">
          <h1>Audit log</h1>
          <span className="muted">
            Workspace <strong>{user.tenantId}</strong>
          </span>
        </div>
        <div className="topbar-actions">
          <LiveToggle paused={paused} onToggle={() => setPaused(!paused)} held={live.heldCount} status={live.status} />
          <ExportMenu filters={filters} />
          <NotificationsBell />
          <span className="user-name" title={user.role ? `${user.name} (${user.role})` : user.name}>
            {user.name}
          </span>
          <SignOutLink />
        </div>
      </header>
      <FiltersBar applied={applied} onApply={apply} />
      <main className="content" aria-busy={pages.isPending}>
        {pages.isPending && <InlineState kind="loading" title="Loading events…" />}
        {pages.isError && (
          <InlineState kind="error" title="The audit log could not be loaded" detail={pages.error.message} action={{ label: 'Try again', onClick: () => void pages.refetch() }} />
        )}
        {pages.isSuccess && events.length === 0 && (
          <InlineState
            kind="empty"
            title={hasFilters(applied) ? 'No events match these filters' : 'No events yet'}
            detail={hasFilters(applied) ? 'Try a wider date range or fewer filters. New matching events appear here as they happen.' : 'Actions in the CRM appear here as they happen.'}
            action={hasFilters(applied) ? { label: 'Reset filters', onClick: () => apply({}) } : undefined}
          />
        )}
        {events.length > 0 && (
          <>
            <p className="result-summary" aria-live="polite">
              {events.length.toLocaleString()} events shown{pages.hasNextPage ? ', more below' : ''}
              {live.events.length > 0 && ` · ${liveIds.size} new live`}
            </p>
            <div className="table-wrap">
              <EventsTable events={events} liveIds={liveIds} actionLabel={actionLabel} selectedId={selected?.id ?? null} onOpen={open} />
            </div>
            <div className="load-more">
              {pages.hasNextPage ? (
                <button type="button" className="button button-secondary" onClick={() => void pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
                  {pages.isFetchingNextPage ? 'Loading…' : 'Load more'}
                </button>
              ) : (
                <p className="muted">That is everything{hasFilters(applied) ? ' matching these filters' : ''}.</p>
              )}
              {pages.isFetchNextPageError && <p className="form-error">Could not load more: {pages.error?.message}</p>}
            </div>
          </>
        )}
        <RecentExports />
      </main>
      {selected && <EventDetail event={selected} actionLabel={actionLabel} onClose={close} />}
    </div>
  );
}

function LiveToggle({ paused, onToggle, held, status }: { paused: boolean; onToggle: () => void; held: number; status: string }) {
  const connected = status === 'pending';
  const label = paused ? (held > 0 ? `Paused · ${held} new` : 'Paused') : connected ? 'Live' : 'Connecting…';
  return (
    <button type="button" className={`live-toggle${paused ? ' live-paused' : connected ? ' live-on' : ''}`} aria-pressed={!paused} onClick={onToggle} title={paused ? 'Resume live updates' : 'Pause live updates'}>
      <span className="live-dot" aria-hidden="true" />
      <span>{label}</span>
      <span className="visually-hidden">{paused ? ', press to resume live updates' : ', press to pause live updates'}</span>
    </button>
  );
}
