import { useMemo, useState } from 'react';
import { EventDetail } from './EventDetail';
import { EventsResults } from './EventsResults';
import { trpcErrorCode } from './errors';
import { ExportMenu, RecentExports } from './exports';
import { FiltersBar } from './FiltersBar';
import { IntegrityStatus } from './IntegrityStatus';
import { LiveToggle } from './LiveToggle';
import { NotificationsBell } from './NotificationsBell';
import { NotAllowedPage, SignOutLink, useSessionCheckOn } from './session';
import type { SignedInUser } from './trpc';
import { useActionLabels } from './use-action-labels';
import { useAuditEvents } from './use-audit-events';
import { useEventSelection } from './use-event-selection';
import { useUrlFilters } from './use-url-filters';
import { hasFilters, toEventFilters } from './view-filters';

/** The audit log: filters, live events above the newest-first pages, detail panel, exports, notifications. */
export function AuditLogPage({ user }: { user: SignedInUser }) {
  const [applied, apply] = useUrlFilters();
  const filters = useMemo(() => toEventFilters(applied), [applied]);
  const [paused, setPaused] = useState(false);
  const { view, error, live } = useAuditEvents(filters, { paused });
  const actionLabel = useActionLabels();
  const selection = useEventSelection();
  useSessionCheckOn(error);

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
      <main className="content" aria-busy={view.kind === 'loading'}>
        <EventsResults
          view={view}
          filtered={hasFilters(applied)}
          onResetFilters={() => apply({})}
          actionLabel={actionLabel}
          selectedId={selection.selected?.id ?? null}
          onOpen={selection.open}
        />
        <RecentExports />
        <IntegrityStatus />
      </main>
      {selection.selected && <EventDetail event={selection.selected} actionLabel={actionLabel} onClose={selection.close} />}
    </div>
  );
}
