import type { AuditEventView } from './trpc';

/** Pure display helpers, in the viewer's locale and time zone unless told otherwise. */

export const viewerTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function formatDateTime(date: Date, timeZone?: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium', timeZone }).format(date);
}

export const actorLabel = (event: Pick<AuditEventView, 'actor'>) => event.actor.name ?? event.actor.email ?? event.actor.id;

export function subjectLabel(event: Pick<AuditEventView, 'subject'>): string {
  if (!event.subject) return '—';
  return event.subject.name ? `${event.subject.name} (${event.subject.type})` : `${event.subject.type} ${event.subject.id}`;
}

const DEVICE_LABELS: Record<string, string> = { desktop: 'Desktop', mobile: 'Mobile', tablet: 'Tablet', bot: 'Bot', unknown: 'Unknown' };
export const deviceLabel = (deviceType: string | undefined) => (deviceType ? (DEVICE_LABELS[deviceType] ?? deviceType) : '—');

/** A before/after value as an admin reads it: text unquoted, absent as "(empty)", the rest as JSON. */
export function formatChangeValue(value: unknown): string {
  if (value === undefined || value === null || value === '') return '(empty)';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, null, 2);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
