import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { useTRPC } from './trpc';

/** An action without a catalog entry (one the host has since removed) as words: `deal.stage_changed` → "Deal stage changed". */
export function humanizeAction(action: string): string {
  const words = action.replace(/[._]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Actions' labels from the catalog (`events.actions`). `ready` is false until the catalog arrives:
 * the events area stays "loading" until then, so no raw action code is ever shown.
 */
export function useActionLabels(): { label: (action: string) => string; ready: boolean; error: string | null } {
  const trpc = useTRPC();
  const catalog = useQuery(trpc.auditLog.events.actions.queryOptions(undefined, { staleTime: Infinity }));
  const labels = useMemo(() => new Map(catalog.data?.map((action) => [action.name, action.label])), [catalog.data]);
  const label = useCallback((action: string) => labels.get(action) ?? humanizeAction(action), [labels]);
  return { label, ready: catalog.isSuccess, error: catalog.isError ? catalog.error.message : null };
}
