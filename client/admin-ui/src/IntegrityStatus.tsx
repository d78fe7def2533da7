import { useQuery } from '@tanstack/react-query';
import { formatDateTime } from './format';
import { trpcErrorCode } from './errors';
import { useTRPC } from './trpc';

/** Saves `text` as a file the admin keeps outside the CRM (no server round trip: the data is already here). */
function saveText(fileName: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/**
 * The log's integrity for this workspace: the latest signed checkpoint, a verify run on demand
 * ("verified up to checkpoint N at T", or the first event that does not verify and why), and the
 * public key and the checkpoint as downloads for the admin's own copy (docs/INTEGRITY.md).
 */
export function IntegrityStatus() {
  const trpc = useTRPC();
  const latest = useQuery(trpc.auditLog.integrity.latestCheckpoint.queryOptions());
  const keys = useQuery(trpc.auditLog.integrity.publicKeys.queryOptions());
  const verify = useQuery({ ...trpc.auditLog.integrity.verify.queryOptions({}), enabled: false });

  if (trpcErrorCode(latest.error) === 'PRECONDITION_FAILED') return null;
  const checkpoint = latest.data;
  const report = verify.data;

  return (
    <section className="integrity" aria-label="Integrity">
      <h2>Integrity</h2>
      {latest.isPending ? (
        <p className="muted">Loading the latest checkpoint…</p>
      ) : checkpoint ? (
        <p data-testid="integrity-checkpoint">
          Latest signed checkpoint: <strong>{checkpoint.size.toLocaleString()}</strong> events, {formatDateTime(checkpoint.time)}
        </p>
      ) : (
        <p className="muted">No signed checkpoint yet.</p>
      )}
      <p role="status" data-testid="integrity-verdict">
        {verify.isFetching
          ? 'Verifying…'
          : verify.error
            ? 'The check could not run.'
            : report?.ok
              ? `Verified up to checkpoint ${report.checkpoint?.size ?? 0} at ${report.checkpoint ? formatDateTime(report.checkpoint.time) : '—'} (${report.eventsChecked.toLocaleString()} events)`
              : report?.failure
                ? `Does not verify: ${report.failure.kind}${report.failure.position === undefined ? '' : ` at position ${report.failure.position}`}${report.failure.eventId ? ` (event ${report.failure.eventId})` : ''}: ${report.failure.detail}`
                : 'Not checked yet.'}
      </p>
      <div className="integrity-actions">
        <button type="button" className="button" onClick={() => void verify.refetch()} disabled={verify.isFetching}>
          Verify now
        </button>
        <button
          type="button"
          className="button"
          disabled={!keys.data}
          onClick={() => keys.data && saveText('audit-log-public-keys.json', `${JSON.stringify(keys.data, null, 2)}\n`, 'application/json')}
        >
          Download public key
        </button>
        <button
          type="button"
          className="button"
          disabled={!checkpoint}
          onClick={() => checkpoint && saveText(`audit-log-checkpoint-${checkpoint.size}.txt`, checkpoint.note, 'text/plain')}
        >
          Download checkpoint
        </button>
      </div>
    </section>
  );
}
