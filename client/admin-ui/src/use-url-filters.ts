import { useCallback, useEffect, useState } from 'react';
import { viewFiltersFromSearch, viewFiltersToSearch, type TViewFilters } from './view-filters';

/** The applied filters live in the URL: Search pushes a history entry, Back restores the previous view. */
export function useUrlFilters(): [TViewFilters, (next: TViewFilters) => void] {
  const [filters, setFilters] = useState(() => viewFiltersFromSearch(window.location.search));

  useEffect(() => {
    const onPopState = () => setFilters(viewFiltersFromSearch(window.location.search));
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);

  const apply = useCallback((next: TViewFilters) => {
    const search = viewFiltersToSearch(next);
    if (search !== window.location.search) window.history.pushState(null, '', `${window.location.pathname}${search}`);
    setFilters(viewFiltersFromSearch(search));
  }, []);

  return [filters, apply];
}
