import { useCallback, useMemo, useState } from 'react';
import { ActivityChart } from './ActivityChart';
import { EventDetail } from './EventDetail';
import { EventsResults } from './EventsResults';
import { trpcErrorCode } from './errors';
import { ExportMenu, RecentExports } from './exports';
import { FiltersBar } from './FiltersBar';
import { IntegrityStatus } from './IntegrityStatus';
import { LiveToggle } from './LiveToggle';
import { NotificationsBell } from './NotificationsBell';
import { RecordHistory } from './RecordHistory';
import { NotAllowedPage, SignOutLink, useSessionCheckOn } from './session';
import type { SignedInUser } from './trpc';
import { useActionLabels } from './use-action-labels';
import { useAuditEvents } from './use-audit-events';
import { useEventSelection } from './use-event-selection';
import { useUrlFilters } from './use-url-filters';
import { hasFilters, toEventFilters, type RecordRef } from './view-filters';

/** The audit log: filters, activity chart, live events above the newest-first pages, detail panel, a record's history, exports, notifications. */
export function AuditLogPage({ user }: { user: SignedInUser }) {
  const { filters: applied, record, apply, openRecord, backToList } = useUrlFilters();
  const filters = useMemo(() => toEventFilters(applied), [applied]);
  const [paused, setPaused] = useState(false);
  const labels = useActionLabels();
  const { view, error, live } = useAuditEvents(filters, { paused, labelsReady: labels.ready || labels.error !== null });
  const selection = useEventSelection();
  useSessionCheckOn(error);
  const narrow = useCallback((range: { from: string; to: string }) => apply({ ...applied, ...range }), [applied, apply]);
  const showHistory = useCallback(
    (next: RecordRef) => {
      selection.close();
      openRecord(next);
    },
    [selection, openRecord],
  );

  if (trpcErrorCode(error) === 'FORBIDDEN') return <NotAllowedPage name={user.name} />;

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
          <LiveToggle paused={paused} onToggle={() => setPaused(!paused)} held={live.heldCount} status={live.status} problem={live.problem} />
          <ExportMenu filters={filters} />
          <NotificationsBell />
          <span className="user-name" title={user.role ? `${user.name} (${user.role})` : user.name}>
            {user.name}
          </span>
          <SignOutLink />
        </div>
      </header>
      {record ? (
        <main className="content">
          <RecordHistory record={record} actionLabel={labels.label} onBack={backToList} />
        </main>
      ) : (
        <>
          <FiltersBar applied={applied} onApply={apply} />
          <main className="content" aria-busy={view.kind === 'loading'}>
            <ActivityChart filters={filters} onNarrow={narrow} />
            <div className="results-toolbar">
              <label className="toggle">
                <input type="checkbox" checked={Boolean(applied.showOwnReads)} onChange={(event) => apply({ ...applied, showOwnReads: event.target.checked ? 'shown' : undefined })} />
                Show my own searches of the log
              </label>
            </div>
            <EventsResults
              view={view}
              filtered={hasFilters(applied)}
              onResetFilters={() => apply({})}
              actionLabel={labels.label}
              selectedId={selection.selected?.id ?? null}
              onOpen={selection.open}
              onOpenHistory={showHistory}
            />
            <RecentExports actionLabel={labels.label} />
            <IntegrityStatus />
          </main>
          {selection.selected && <EventDetail event={selection.selected} actionLabel={labels.label} onClose={selection.close} onOpenHistory={showHistory} />}
        </>
      )}
    </div>
  );
}
