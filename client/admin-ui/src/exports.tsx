import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { TEventFiltersInput } from '../../../server/events/event-filters.schema';
import { describeExportFilters, plainFailure } from './export-summary';
import { formatBytes, formatDateTime, viewerTimeZone } from './format';
import { InlineState } from './states';
import { useTRPC, type ExportView } from './trpc';

const ACTIVE: ReadonlyArray<ExportView['status']> = ['queued', 'running'];
const FORMAT_LABELS: Record<ExportView['format'], string> = { csv: 'CSV', xlsx: 'Excel (XLSX)', ndjson: 'NDJSON (verifiable)' };
const STATUS_LABELS: Record<ExportView['status'], string> = { queued: 'Queued', running: 'Running', completed: 'Ready', failed: 'Failed', cancelled: 'Cancelled' };

/** "Export" → CSV or XLSX of the current view (its filters, the viewer's time zone), then its progress. */
export function ExportMenu({ filters }: { filters: TEventFiltersInput }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [exportId, setExportId] = useState<string | null>(null);
  const create = useMutation(
    trpc.auditLog.exports.create.mutationOptions({
      onSuccess: (created) => {
        setExportId(created.id);
        void queryClient.invalidateQueries(trpc.auditLog.exports.list.queryFilter());
      },
    }),
  );
  const start = (format: ExportView['format']) => {
    setOpen(false);
    create.mutate({ format, filters, timeZone: viewerTimeZone() });
  };

  return (
    <div className="export-menu">
      <button type="button" className="button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)} disabled={create.isPending}>
        Export
      </button>
      {open && (
        <div className="menu" role="menu" aria-label="Export format" onKeyDown={(event) => event.key === 'Escape' && setOpen(false)}>
          <button type="button" role="menuitem" autoFocus onClick={() => start('csv')}>
            CSV of this view
          </button>
          <button type="button" role="menuitem" onClick={() => start('xlsx')}>
            Excel (XLSX) of this view
          </button>
        </div>
      )}
      {create.isError && (
        <p className="form-error" role="alert">
          Export not started: {create.error.message}
        </p>
      )}
      {exportId && <ExportProgress id={exportId} onDismiss={() => setExportId(null)} />}
    </div>
  );
}

function ExportProgress({ id, onDismiss }: { id: string; onDismiss: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const view = useQuery(
    trpc.auditLog.exports.byId.queryOptions(
      { id },
      { refetchInterval: (query) => (query.state.data && !ACTIVE.includes(query.state.data.status) ? false : 1_000) },
    ),
  );
  const status = view.data?.status;
  useEffect(() => {
    if (status && !ACTIVE.includes(status)) void queryClient.invalidateQueries(trpc.auditLog.exports.list.queryFilter());
  }, [status, queryClient, trpc]);
  const percent = view.data?.progress.percent ?? null;
  return (
    <div className="export-progress" role="status" aria-live="polite">
      {!view.data && <span>Starting the export…</span>}
      {view.data && ACTIVE.includes(view.data.status) && (
        <>
          <span>
            Preparing {FORMAT_LABELS[view.data.format]}… {view.data.progress.rows.toLocaleString()} rows
          </span>
          <progress max={100} value={percent ?? undefined} aria-label="Export progress">
            {percent ?? 0}%
          </progress>
        </>
      )}
      {view.data?.status === 'completed' && view.data.file && (
        <span>
          {FORMAT_LABELS[view.data.format]} ready ({view.data.file.rows.toLocaleString()} rows):{' '}
          <a href={view.data.file.downloadUrl} download title={view.data.file.fileName}>
            Download
          </a>
        </span>
      )}
      {(view.data?.status === 'failed' || view.data?.status === 'cancelled') && (
        <span className="form-error">
          Export {view.data.status}
          {view.data.failureReason ? `: ${view.data.failureReason}` : ''}
        </span>
      )}
      <button type="button" className="icon-button" aria-label="Dismiss export status" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}

/** The signed-in admin's recent exports: what each contains in words, who asked, rows, status; refreshed while one runs. */
export function RecentExports({ actionLabel }: { actionLabel: (action: string) => string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cancel = useMutation(trpc.auditLog.exports.cancel.mutationOptions({ onSettled: () => queryClient.invalidateQueries(trpc.auditLog.exports.pathFilter()) }));
  const facets = useQuery(trpc.auditLog.events.facets.queryOptions(undefined, { staleTime: 60_000 }));
  const exports = useQuery(
    trpc.auditLog.exports.list.queryOptions(
      { limit: 10 },
      { refetchInterval: (query) => (query.state.data?.some((view) => ACTIVE.includes(view.status)) ? 1_500 : false) },
    ),
  );
  const actorName = (id: string) => facets.data?.actors.find((actor) => actor.value === id)?.name;
  return (
    <section className="recent-exports" aria-labelledby="recent-exports-title">
      <h2 id="recent-exports-title">Your recent exports</h2>
      {exports.isPending && <InlineState kind="loading" title="Loading exports…" />}
      {exports.isError && <InlineState kind="error" title="Could not load your exports" detail={exports.error.message} action={{ label: 'Retry', onClick: () => void exports.refetch() }} />}
      {exports.data?.length === 0 && <InlineState kind="empty" title="No exports yet" detail="Use Export to download the current view as CSV or Excel." />}
      {exports.data && exports.data.length > 0 && (
        <ul className="export-list">
          {exports.data.map((view) => (
            <li key={view.id} className={`export-item export-${view.status}`}>
              <div className="export-what">
                <span className="export-format">{FORMAT_LABELS[view.format]}</span>{' '}
                <span className="export-contents">{describeExportFilters(view.filters, { actionLabel, actorName, timeZone: view.timeZone })}</span>
              </div>
              <div className="export-meta muted">
                Requested by {view.requestedBy.name ?? view.requestedBy.id} · <time dateTime={view.requestedAt.toISOString()}>{formatDateTime(view.requestedAt)}</time> ·{' '}
                {view.file ? `${view.file.rows.toLocaleString()} rows` : `${view.progress.rows.toLocaleString()} rows so far`}
              </div>
              <div className="export-outcome">
                <span className={`export-status export-status-${view.status}`}>
                  {STATUS_LABELS[view.status]}
                  {ACTIVE.includes(view.status) && view.progress.percent !== null && ` ${Math.round(view.progress.percent)}%`}
                </span>
                {view.file && view.status === 'completed' ? (
                  <a href={view.file.downloadUrl} download>
                    Download ({formatBytes(view.file.bytes)})
                  </a>
                ) : ACTIVE.includes(view.status) ? (
                  <button type="button" className="link-button" onClick={() => cancel.mutate({ id: view.id })} disabled={cancel.isPending}>
                    Cancel
                  </button>
                ) : view.status === 'failed' || view.status === 'cancelled' ? (
                  <span className="export-failure">{plainFailure(view.status, view.failureReason)}</span>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
