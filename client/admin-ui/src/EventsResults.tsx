import { EventsTable } from './EventsTable';
import { InlineState } from './states';
import type { AuditEventView } from './trpc';
import type { AuditEventsView } from './use-audit-events';

interface EventsResultsProps {
  view: AuditEventsView;
  filtered: boolean;
  onResetFilters: () => void;
  actionLabel: (action: string) => string;
  selectedId: string | null;
  onOpen: (event: AuditEventView) => void;
  onOpenHistory: (record: { type: string; id: string }) => void;
}

/** The events area in exactly one of its states: loading, error, empty, or the table with "Load more". */
export function EventsResults({ view, filtered, onResetFilters, actionLabel, selectedId, onOpen, onOpenHistory }: EventsResultsProps) {
  switch (view.kind) {
    case 'loading':
      return <InlineState kind="loading" title="Loading events…" />;
    case 'error':
      return <InlineState kind="error" title={view.title} detail={view.detail} action={{ label: 'Try again now', onClick: view.retry }} />;
    case 'empty':
      return (
        <InlineState
          kind="empty"
          title={filtered ? 'No events match these filters' : 'No events yet'}
          detail={filtered ? 'Try a wider date range or fewer filters. New matching events appear here as they happen.' : 'Actions in the CRM appear here as they happen.'}
          action={filtered ? { label: 'Reset filters', onClick: onResetFilters } : undefined}
        />
      );
    case 'ready':
      return (
        <>
          <p className="result-summary" aria-live="polite">
            {view.events.length.toLocaleString()} {view.events.length === 1 ? 'event' : 'events'} shown{view.more.available ? ', more below' : ''}
            {view.liveIds.size > 0 && ` · ${view.liveIds.size} new live`}
          </p>
          <div className="table-wrap">
            <EventsTable events={view.events} liveIds={view.liveIds} actionLabel={actionLabel} selectedId={selectedId} onOpen={onOpen} onOpenHistory={onOpenHistory} />
          </div>
          <div className="load-more">
            {view.more.available ? (
              <button type="button" className="button button-secondary" onClick={view.more.load} disabled={view.more.loading}>
                {view.more.loading ? 'Loading…' : 'Load more'}
              </button>
            ) : (
              <p className="muted">That is everything{filtered ? ' matching these filters' : ''}.</p>
            )}
            {view.more.error && <p className="form-error">Could not load more: {view.more.error}</p>}
          </div>
        </>
      );
  }
}
