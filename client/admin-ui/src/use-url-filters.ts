import { useCallback, useEffect, useState } from 'react';
import { recordFromSearch, recordToSearch, viewFiltersFromSearch, viewFiltersToSearch, type RecordRef, type TViewFilters } from './view-filters';

interface UrlView {
  filters: TViewFilters;
  /** The record whose whole history is open instead of the list. */
  record: RecordRef | null;
}

const readUrl = (search: string): UrlView => ({ filters: viewFiltersFromSearch(search), record: recordFromSearch(search) });

/**
 * The view lives in the URL: Search (or opening a record's history) pushes a history entry, Back
 * restores the previous view. `apply` shows the list with those filters; `openRecord` a history.
 */
export function useUrlFilters() {
  const [view, setView] = useState(() => readUrl(window.location.search));

  useEffect(() => {
    const onPopState = () => setView(readUrl(window.location.search));
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);

  const go = useCallback((search: string, state: { fromList?: true } | null = null) => {
    if (search !== window.location.search) window.history.pushState(state, '', `${window.location.pathname}${search}`);
    setView(readUrl(search));
  }, []);
  const apply = useCallback((next: TViewFilters) => go(viewFiltersToSearch(next)), [go]);
  const openRecord = useCallback((record: RecordRef) => go(recordToSearch(record), { fromList: true }), [go]);
  /** From a history opened on the list: back to that list (its filters); from a shared link: the whole log. */
  const backToList = useCallback(() => {
    if ((window.history.state as { fromList?: boolean } | null)?.fromList) window.history.back();
    else go('');
  }, [go]);

  return { ...view, apply, openRecord, backToList };
}
