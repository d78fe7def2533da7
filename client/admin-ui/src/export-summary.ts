import type { TEventFilters } from '../../../server/events/event-filters.schema';

/**
 * Pure: what an export contains and how it ended, in words, for "Your recent exports".
 * Unit-tested in test/unit.
 */
export interface ExportWording {
  actionLabel: (action: string) => string;
  /** An actor's display name, when the page knows it. */
  actorName: (actorId: string) => string | undefined;
  timeZone: string;
  locale?: string;
}

function rangeInWords(filters: TEventFilters, wording: ExportWording): string {
  const format = (date: Date) => new Intl.DateTimeFormat(wording.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: wording.timeZone }).format(date);
  if (filters.from && filters.to) return `from ${format(filters.from)} to ${format(filters.to)}`;
  if (filters.from) return `since ${format(filters.from)}`;
  if (filters.to) return `up to ${format(filters.to)}`;
  return 'all time';
}

export function describeExportFilters(filters: TEventFilters, wording: ExportWording): string {
  const parts: string[] = [];
  if (filters.search) parts.push(`matching “${filters.search}”`);
  if (filters.actorIds) parts.push(`by ${filters.actorIds.map((id) => wording.actorName(id) ?? id).join(' or ')}`);
  if (filters.actions) parts.push(filters.actions.map(wording.actionLabel).join(' or '));
  if (filters.subjectType) parts.push(filters.subjectId ? `about ${filters.subjectType} ${filters.subjectId}` : `about ${filters.subjectType} records`);
  if (filters.status) parts.push(filters.status === 'failure' ? 'failed only' : 'successful only');
  if (filters.ip) parts.push(`from IP ${filters.ip}`);
  if (filters.sessionId) parts.push(`in session ${filters.sessionId}`);
  if (filters.hideOwnReads) parts.push('without your own searches of the log');
  const what = parts.length > 0 ? `Events ${parts.join(', ')}` : 'All events';
  return `${what}, ${rangeInWords(filters, wording)} (${wording.timeZone})`;
}

/** A failure reason an admin can act on: the worker's own wording, or what a technical one means. */
export function plainFailure(status: 'failed' | 'cancelled', reason: string | undefined): string {
  if (status === 'cancelled') return 'Cancelled before it finished; nothing was kept.';
  if (!reason) return 'It could not be completed. Try exporting again.';
  if (/timed? ?out|timeout/i.test(reason)) return 'It took too long and was stopped. Try a shorter date range.';
  if (/ECONN|network|connection/i.test(reason)) return 'The database could not be reached while it ran. Try again in a few minutes.';
  return /[.!?]$/.test(reason) ? `${reason} Try exporting again.` : `${reason}. Try exporting again.`;
}
