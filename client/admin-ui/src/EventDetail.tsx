import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, type ReactNode } from 'react';
import { actorLabel, deviceLabel, formatChangeValue, formatDateTime, viewerTimeZone } from './format';
import { InlineState } from './states';
import { useTRPC, type AuditEventView } from './trpc';

interface EventDetailProps {
  /** The row that was opened: shown at once while the full event loads (and the opening is recorded). */
  event: AuditEventView;
  actionLabel: (action: string) => string;
  onClose: () => void;
  /** Opens the whole history of the event's subject. */
  onOpenHistory: (record: { type: string; id: string }) => void;
}

/** Every field of one event, with field changes as a before/after diff. Escape closes it. */
export function EventDetail({ event: opened, actionLabel, onClose, onOpenHistory }: EventDetailProps) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.auditLog.events.byId.queryOptions({ id: opened.id }, { placeholderData: opened, staleTime: Infinity }));
  const event = detail.data ?? opened;
  const closeButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    closeButton.current?.focus();
    const onKeyDown = (keyboardEvent: KeyboardEvent) => {
      if (keyboardEvent.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [opened.id, onClose]);

  return (
    <aside className="detail-panel" role="dialog" aria-modal="false" aria-labelledby="detail-title">
      <header className="detail-header">
        <div>
          <p className="detail-kicker">{actionLabel(event.action)}</p>
          <h2 id="detail-title">{event.description}</h2>
        </div>
        <button ref={closeButton} type="button" className="icon-button" onClick={onClose} aria-label="Close details">
          ×
        </button>
      </header>
      {detail.isError && <InlineState kind="error" title="Could not load the full event" detail={detail.error.message} />}
      <div className="detail-body">
        <Section title="What happened">
          <Field label="Date and time">
            {formatDateTime(event.occurredAt)} <span className="muted">({viewerTimeZone()})</span>
          </Field>
          <Field label="Recorded at">{formatDateTime(event.receivedAt)}</Field>
          <Field label="Action">
            {actionLabel(event.action)} <code>{event.action}</code>
          </Field>
          <Field label="Status">
            <span className={`status status-${event.status}`}>{event.status === 'success' ? 'Success' : 'Failed'}</span>
            {event.failureReason && <span className="failure-reason"> {event.failureReason}</span>}
          </Field>
          <Field label="Subject">
            {event.subject ? `${event.subject.name ?? '—'} · ${event.subject.type} ${event.subject.id}` : '—'}
            {event.subject && (
              <button type="button" className="link-button history-link" onClick={() => event.subject && onOpenHistory({ type: event.subject.type, id: event.subject.id })}>
                Whole history of this record
              </button>
            )}
          </Field>
          <Field label="Number of edits">{event.editCount}</Field>
          <Field label="Event ID">
            <code>{event.id}</code>
          </Field>
        </Section>
        <Section title="Who">
          <Field label="User">{actorLabel(event)}</Field>
          <Field label="E-mail">{event.actor.email ?? '—'}</Field>
          <Field label="User ID">
            <code>{event.actor.id}</code>
          </Field>
          <Field label="Type and role">{[event.actor.type, event.actor.role].filter(Boolean).join(' · ')}</Field>
        </Section>
        <Section title="From where">
          <Field label="IP address">{event.context.ip ?? '—'}</Field>
          <Field label="Device">{deviceLabel(event.context.deviceType)}</Field>
          <Field label="Browser / OS">{[event.context.browser, event.context.os].filter(Boolean).join(' on ') || '—'}</Field>
          <Field label="Session ID">{event.context.sessionId ? <code>{event.context.sessionId}</code> : '—'}</Field>
          <Field label="Request ID">{event.context.requestId ? <code>{event.context.requestId}</code> : '—'}</Field>
          <Field label="User agent">{event.context.userAgent ? <span className="user-agent">{event.context.userAgent}</span> : '—'}</Field>
        </Section>
        {event.integration && (
          <Section title="Integration">
            <Field label="Provider">{event.integration.provider}</Field>
            <Field label="External ID">{event.integration.externalId ? <code>{event.integration.externalId}</code> : '—'}</Field>
            <Field label="Detail">{event.integration.detail ?? '—'}</Field>
          </Section>
        )}
        <ChangesDiff changes={event.changes} />
        {event.affected && (
          <Section title={`Affected records (${event.affected.count})`}>
            <p className="affected-ids">
              {event.affected.ids.map((id) => (
                <code key={id}>{id}</code>
              ))}
              {event.affected.count > event.affected.ids.length && <span className="muted"> and {event.affected.count - event.affected.ids.length} more</span>}
            </p>
          </Section>
        )}
        {event.metadata && Object.keys(event.metadata).length > 0 && (
          <Section title="More details">
            <pre className="metadata">{JSON.stringify(event.metadata, null, 2)}</pre>
          </Section>
        )}
      </div>
    </aside>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="detail-section">
      <h3>{title}</h3>
      <dl>{children}</dl>
    </section>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="detail-field">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function ChangesDiff({ changes }: { changes: AuditEventView['changes'] }) {
  if (changes.length === 0) return null;
  return (
    <section className="detail-section">
      <h3>Field changes ({changes.length})</h3>
      <table className="diff-table">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={change.field}>
              <th scope="row">
                <code>{change.field}</code>
              </th>
              {change.redacted ? (
                <td colSpan={2} className="muted">
                  Hidden (sensitive field)
                </td>
              ) : (
                <>
                  <td className="diff-before">
                    <del>{formatChangeValue(change.before)}</del>
                  </td>
                  <td className="diff-after">
                    <ins>{formatChangeValue(change.after)}</ins>
                  </td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
