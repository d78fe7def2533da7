import type { TEventFiltersInput } from '../../server/events/event-filters.schema';

/** The filter patterns of events.list the API benchmark measures, for a tenant seeded by seedBenchEvents. */
export function apiPatterns(newest: Date, eventsPerTenant: number): Array<{ name: string; filters: TEventFiltersInput }> {
  const ago = (fraction: number) => new Date(newest.getTime() - Math.round(eventsPerTenant * fraction) * 1_000);
  const range = { from: ago(0.6), to: ago(0.4) };
  return [
    { name: 'none', filters: {} },
    { name: 'actor', filters: { actorIds: ['user-7'] } },
    { name: 'actors ×3', filters: { actorIds: ['user-7', 'user-8', 'user-9'] } },
    { name: 'action', filters: { actions: ['record.updated'] } },
    { name: 'date range', filters: range },
    { name: 'subject', filters: { subjectType: 'contact', subjectId: 'contact-10' } },
    { name: 'text search', filters: { search: 'lovelace' } },
    { name: 'status', filters: { status: 'failure' } },
    { name: 'actor + action', filters: { actorIds: ['user-7'], actions: ['record.updated', 'record.viewed'] } },
    { name: 'action + date range', filters: { actions: ['record.updated'], ...range } },
    { name: 'search + date range', filters: { search: 'initech', ...range } },
  ];
}
