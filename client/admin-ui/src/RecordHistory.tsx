import { useInfiniteQuery } from '@tanstack/react-query';
import { ChangesDiff } from './EventDetail';
import { actorLabel, formatDateTime } from './format';
import { InlineState } from './states';
import { useTRPC, useTRPCClient } from './trpc';
import type { RecordRef } from './view-filters';

const PAGE_SIZE = 50;

interface RecordHistoryProps {
  record: RecordRef;
  actionLabel: (action: string) => string;
  onBack: () => void;
}

/** Every event about one record (events.history), newest first, each with its before/after; its own URL. */
export function RecordHistory({ record, actionLabel, onBack }: RecordHistoryProps) {
  const trpc = useTRPC();
  const trpcClient = useTRPCClient();
  const input = { subjectType: record.type, subjectId: record.id };
  const pages = useInfiniteQuery({
    queryKey: [...trpc.auditLog.events.history.queryKey(), 'pages', input],
    queryFn: ({ pageParam }) => trpcClient.auditLog.events.history.query({ ...input, limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });
  const events = pages.data?.pages.flatMap((page) => page.items) ?? [];
  const name = events.find((event) => event.subject?.name)?.subject?.name;

  return (
    <section className="record-history" aria-labelledby="record-history-title" aria-busy={pages.isPending}>
      <header className="record-history-header">
        <button type="button" className="button button-secondary" onClick={onBack}>
          ← All events
        </button>
        <div>
          <p className="detail-kicker">History of a record · {record.type}</p>
          <h2 id="record-history-title">{name ?? `${record.type} ${record.id}`}</h2>
          <p className="muted">
            Every event about <code>{record.type} {record.id}</code>, newest first.
          </p>
        </div>
      </header>
      {pages.isPending ? (
        <InlineState kind="loading" title="Loading the record’s history…" />
      ) : !pages.data ? (
        <InlineState kind="error" title="The history could not be loaded" detail={pages.error?.message} action={{ label: 'Try again', onClick: () => void pages.refetch() }} />
      ) : events.length === 0 ? (
        <InlineState kind="empty" title="No events about this record" detail="It may have been recorded under another type, or its events are older than the log keeps." />
      ) : (
        <>
          <ol className="history-list">
            {events.map((event) => (
              <li key={event.id} className={`history-item${event.status === 'failure' ? ' event-row-failure' : ''}`} data-event-id={event.id}>
                <div className="history-line">
                  <time dateTime={event.occurredAt.toISOString()}>{formatDateTime(event.occurredAt)}</time>
                  <span className="history-action">{actionLabel(event.action)}</span>
                  <span className="cell-strong">{actorLabel(event)}</span>
                  {event.status === 'failure' && <span className="status status-failure">Failed</span>}
                </div>
                <p className="history-description">{event.description}</p>
                {event.changes.length > 0 && <ChangesDiff changes={event.changes} />}
              </li>
            ))}
          </ol>
          <div className="load-more">
            {pages.hasNextPage ? (
              <button type="button" className="button button-secondary" onClick={() => void pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
                {pages.isFetchingNextPage ? 'Loading…' : 'Load older events'}
              </button>
            ) : (
              <p className="muted">
                {events.length.toLocaleString()} {events.length === 1 ? 'event' : 'events'}: the whole history.
              </p>
            )}
          </div>
        </>
      )}
    </section>
  );
}
