import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTRPC } from './trpc';
import { hasFilters, ZViewFilters, type TViewFilters } from './view-filters';

interface FiltersBarProps {
  applied: TViewFilters;
  onApply: (filters: TViewFilters) => void;
}

/** The filter form: edits stay a draft until "Search"; "Reset" clears the view. */
export function FiltersBar({ applied, onApply }: FiltersBarProps) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState(applied);
  useEffect(() => setDraft(applied), [applied]);
  const facets = useQuery(trpc.auditLog.events.facets.queryOptions(undefined, { staleTime: 60_000 }));
  const actions = useQuery(trpc.auditLog.events.actions.queryOptions(undefined, { staleTime: Infinity }));

  const actionGroups = useMemo(() => {
    const groups = new Map<string, Array<{ name: string; label: string }>>();
    for (const action of actions.data ?? []) groups.set(action.category, [...(groups.get(action.category) ?? []), action]);
    return [...groups.entries()];
  }, [actions.data]);

  const set = (field: keyof TViewFilters) => (value: string) => setDraft((current) => ({ ...current, [field]: value || undefined }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(ZViewFilters.parse(draft));
  };
  const reset = () => {
    setDraft({});
    onApply({});
  };

  return (
    <form className="filters" role="search" aria-label="Filter the audit log" onSubmit={submit}>
      <label className="filter filter-search">
        Search
        <input type="search" name="search" placeholder="Description or record name" value={draft.search ?? ''} onChange={(event) => set('search')(event.target.value)} maxLength={200} />
      </label>
      <label className="filter">
        From
        <input type="date" name="from" value={draft.from ?? ''} max={draft.to} onChange={(event) => set('from')(event.target.value)} />
      </label>
      <label className="filter">
        To
        <input type="date" name="to" value={draft.to ?? ''} min={draft.from} onChange={(event) => set('to')(event.target.value)} />
      </label>
      <label className="filter">
        User
        <select name="user" value={draft.actorId ?? ''} onChange={(event) => set('actorId')(event.target.value)}>
          <option value="">All users</option>
          {draft.actorId && !facets.data?.actors.some((actor) => actor.value === draft.actorId) && <option value={draft.actorId}>{draft.actorId}</option>}
          {facets.data?.actors.map((actor) => (
            <option key={actor.value} value={actor.value}>
              {actor.name ?? actor.value} ({actor.count})
            </option>
          ))}
        </select>
      </label>
      <label className="filter">
        Action
        <select name="action" value={draft.action ?? ''} onChange={(event) => set('action')(event.target.value)}>
          <option value="">All actions</option>
          {actionGroups.map(([category, members]) => (
            <optgroup key={category} label={category.charAt(0).toUpperCase() + category.slice(1)}>
              {members.map((action) => (
                <option key={action.name} value={action.name}>
                  {action.label}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      <label className="filter">
        Status
        <select name="status" value={draft.status ?? ''} onChange={(event) => set('status')(event.target.value)}>
          <option value="">Any status</option>
          <option value="success">Success</option>
          <option value="failure">Failed</option>
        </select>
      </label>
      <div className="filter-buttons">
        <button type="submit" className="button">
          Search
        </button>
        <button type="button" className="button button-secondary" onClick={reset} disabled={!hasFilters(applied) && !hasFilters(draft)}>
          Reset
        </button>
      </div>
    </form>
  );
}
