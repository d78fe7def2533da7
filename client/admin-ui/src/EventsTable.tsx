import type { KeyboardEvent } from 'react';
import { actorLabel, deviceLabel, formatDateTime, subjectLabel } from './format';
import type { AuditEventView } from './trpc';

interface EventsTableProps {
  events: AuditEventView[];
  /** Ids that arrived live: highlighted briefly. */
  liveIds: ReadonlySet<string>;
  actionLabel: (action: string) => string;
  selectedId: string | null;
  onOpen: (event: AuditEventView) => void;
  /** The subject's whole history, one click from its row. */
  onOpenHistory: (record: { type: string; id: string }) => void;
}

const COLUMNS = ['User', 'Date and time', 'Action', 'Subject', 'Description', 'Edits', 'Status', 'Device', 'IP address'] as const;

/**
 * The log as a real table (header cells, one row per event). Rows are focusable: Enter or Space
 * opens the detail panel, arrow keys move between rows. On narrow screens CSS turns rows into cards.
 */
export function EventsTable({ events, liveIds, actionLabel, selectedId, onOpen, onOpenHistory }: EventsTableProps) {
  const onRowKeyDown = (keyboardEvent: KeyboardEvent<HTMLTableRowElement>, event: AuditEventView) => {
    const row = keyboardEvent.currentTarget;
    if (keyboardEvent.key === 'Enter' || keyboardEvent.key === ' ') {
      keyboardEvent.preventDefault();
      onOpen(event);
    } else if (keyboardEvent.key === 'ArrowDown' || keyboardEvent.key === 'ArrowUp') {
      keyboardEvent.preventDefault();
      const sibling = keyboardEvent.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling;
      (sibling as HTMLElement | null)?.focus();
    }
  };

  return (
    // Explicit roles: the phone layout restyles rows as cards (display: block), which would
    // otherwise drop the table semantics screen readers rely on.
    <table className="events-table" role="table">
      <caption className="visually-hidden">Audit events, newest first. Select a row to see every detail.</caption>
      <thead role="rowgroup">
        <tr role="row">
          {COLUMNS.map((column) => (
            <th key={column} scope="col" role="columnheader">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody role="rowgroup">
        {events.map((event) => (
          <tr
            key={event.id}
            role="row"
            data-event-id={event.id}
            tabIndex={0}
            aria-current={selectedId === event.id || undefined}
            className={`event-row${liveIds.has(event.id) ? ' event-row-live' : ''}${event.status === 'failure' ? ' event-row-failure' : ''}`}
            onClick={() => onOpen(event)}
            onKeyDown={(keyboardEvent) => onRowKeyDown(keyboardEvent, event)}
          >
            <td role="cell" data-label="User">
              <span className="cell-strong">{actorLabel(event)}</span>
              {event.actor.type !== 'user' && <span className="tag">{event.actor.type === 'system' ? 'system' : 'API key'}</span>}
            </td>
            <td role="cell" data-label="Date and time">
              <time className="nowrap" dateTime={event.occurredAt.toISOString()}>{formatDateTime(event.occurredAt)}</time>
            </td>
            <td role="cell" data-label="Action" title={event.action}>
              {actionLabel(event.action)}
            </td>
            <td role="cell" data-label="Subject">
              {event.subject ? (
                <button
                  type="button"
                  className="link-button subject-link"
                  title="Whole history of this record"
                  onClick={(click) => {
                    click.stopPropagation();
                    if (event.subject) onOpenHistory({ type: event.subject.type, id: event.subject.id });
                  }}
                  onKeyDown={(key) => key.stopPropagation()}
                >
                  {subjectLabel(event)}
                </button>
              ) : (
                subjectLabel(event)
              )}
            </td>
            <td role="cell" data-label="Description" className="cell-description">
              {event.description}
            </td>
            <td role="cell" data-label="Edits" className="cell-number">
              {event.editCount}
            </td>
            <td role="cell" data-label="Status">
              <span className={`status status-${event.status}`}>{event.status === 'success' ? 'Success' : 'Failed'}</span>
            </td>
            <td role="cell" data-label="Device">{deviceLabel(event.context.deviceType)}</td>
            <td role="cell" data-label="IP address" className="cell-mono">
              {event.context.ip ?? '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
