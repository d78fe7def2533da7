import { filterCount, hasFilters, recordFromSearch, recordToSearch, toEventFilters, viewFiltersFromSearch, viewFiltersToSearch } from '../../client/admin-ui/src/view-filters';
import { ZEventFiltersInput } from '../../server/events/event-filters.schema';

describe('admin UI view filters (URL ⇄ form ⇄ API input)', () => {
  // Days are the viewer's (this process's) local days, as in the browser.
  const local = (year: number, month: number, day: number) => new Date(year, month - 1, day);
  const lastMillisecondOf = (year: number, month: number, day: number) => new Date(local(year, month, day + 1).getTime() - 1);

  it('reads every filter from the query string', () => {
    expect(viewFiltersFromSearch('?q=invoice&user=u1&action=record.deleted&status=failure&from=2026-03-01&to=2026-03-31')).toEqual({
      search: 'invoice',
      actorId: 'u1',
      action: 'record.deleted',
      status: 'failure',
      from: '2026-03-01',
      to: '2026-03-31',
    });
  });

  it('drops malformed values instead of refusing a shared link', () => {
    expect(viewFiltersFromSearch('?status=maybe&from=yesterday&action=DROP TABLE&q=%20%20&user=u2')).toEqual({ actorId: 'u2' });
  });

  it('drops what the server’s own filter rules would refuse: NUL, an over-long id or search', () => {
    const longId = 'u'.repeat(129);
    const longSearch = 's'.repeat(201);
    expect(viewFiltersFromSearch(`?q=a%00b&user=${longId}&action=record.viewed`)).toEqual({ action: 'record.viewed' });
    expect(viewFiltersFromSearch(`?q=${longSearch}&user=${'u'.repeat(128)}`)).toEqual({ actorId: 'u'.repeat(128) });
  });

  it('writes only the filters that are set, and nothing for an empty view', () => {
    expect(viewFiltersToSearch({ search: 'a b', status: 'success' })).toBe('?q=a+b&status=success');
    expect(viewFiltersToSearch({})).toBe('');
    expect(hasFilters({})).toBe(false);
    expect(hasFilters({ to: '2026-01-01' })).toBe(true);
  });

  it('round-trips through the URL', () => {
    const filters = { search: 'Ada & Grace', actorId: 'u-1', action: 'invoice.posted', status: 'success' as const, from: '2026-01-01', to: '2026-02-01' };
    expect(viewFiltersFromSearch(viewFiltersToSearch(filters))).toEqual(filters);
  });

  it('turns days into the whole days of the viewer’s time zone', () => {
    // 29 March 2026 is a 23-hour day in much of Europe: the end is the next midnight, not +24 h.
    const query = toEventFilters({ from: '2026-03-29', to: '2026-03-29' });
    expect(query.from).toEqual(local(2026, 3, 29));
    expect(query.to).toEqual(lastMillisecondOf(2026, 3, 29));
  });

  it('swaps a range given backwards', () => {
    const query = toEventFilters({ from: '2026-05-10', to: '2026-05-01' });
    expect(query.from).toEqual(local(2026, 5, 1));
    expect(query.to).toEqual(lastMillisecondOf(2026, 5, 10));
  });

  it('gives events.list input that its schema accepts, with one user and one action', () => {
    const query = toEventFilters({ search: 'jane', actorId: 'u1', action: 'record.updated', status: 'success', from: '2026-01-01' });
    expect(ZEventFiltersInput.parse(query)).toEqual({ search: 'jane', actorIds: ['u1'], actions: ['record.updated'], status: 'success', from: local(2026, 1, 1), hideOwnReads: true });
  });

  it('leaves the admin’s own reads out unless the URL shows them, which is no narrowing filter', () => {
    expect(toEventFilters({}).hideOwnReads).toBe(true);
    const shown = viewFiltersFromSearch('?reads=shown');
    expect(shown).toEqual({ showOwnReads: 'shown' });
    expect(toEventFilters(shown).hideOwnReads).toBeUndefined();
    expect(hasFilters(shown)).toBe(false);
    expect(viewFiltersFromSearch('?reads=maybe')).toEqual({});
  });

  it('takes an hour as a range end (the activity chart’s hourly bars): that whole hour', () => {
    const query = toEventFilters(viewFiltersFromSearch('?from=2026-05-04T13:00&to=2026-05-04T14:00'));
    expect(query.from).toEqual(new Date(2026, 4, 4, 13));
    expect(query.to).toEqual(new Date(new Date(2026, 4, 4, 15).getTime() - 1));
  });

  it('counts a date range as one filter for "Filters (n)"', () => {
    expect(filterCount({ search: 'x', from: '2026-01-01', to: '2026-01-02', showOwnReads: 'shown' })).toBe(2);
    expect(filterCount({})).toBe(0);
  });

  it('reads a record’s history from its URL and writes it back', () => {
    const record = { type: 'contact', id: '665f1c2e9b1e8a0012345678' };
    expect(recordFromSearch(recordToSearch(record))).toEqual(record);
    expect(recordFromSearch('?history=contact')).toBeNull();
  });
});
