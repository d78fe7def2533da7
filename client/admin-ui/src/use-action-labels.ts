import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { useTRPC } from './trpc';

/** An action's label from the catalog (`events.actions`), its name until the catalog arrives. */
export function useActionLabels(): (action: string) => string {
  const trpc = useTRPC();
  const catalog = useQuery(trpc.auditLog.events.actions.queryOptions(undefined, { staleTime: Infinity }));
  const labels = useMemo(() => new Map(catalog.data?.map((action) => [action.name, action.label])), [catalog.data]);
  return useCallback((action: string) => labels.get(action) ?? action, [labels]);
}
