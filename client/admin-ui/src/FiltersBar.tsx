import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTRPC } from './trpc';
import { filterCount, hasFilters, ZViewFilters, type TViewFilters } from './view-filters';

interface FiltersBarProps {
  applied: TViewFilters;
  onApply: (filters: TViewFilters) => void;
}

const ACTOR_GROUPS = [
  { kind: 'person', label: 'People' },
  { kind: 'api_key', label: 'API keys' },
  { kind: 'system', label: 'System' },
] as const;

const FAILED_SIGN_IN = 'user.login_failed';

/**
 * The filter form: edits stay a draft until "Search"; "Reset" clears the view. The menus list what
 * is in the log with counts (events.facets): people and API keys, not the identities of failed
 * sign-ins (those are one click away as "attempted sign-ins", and found by search). On a narrow
 * screen the form folds behind "Filters (n)".
 */
export function FiltersBar({ applied, onApply }: FiltersBarProps) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState(applied);
  const [open, setOpen] = useState(false);
  useEffect(() => setDraft(applied), [applied]);
  const facets = useQuery(trpc.auditLog.events.facets.queryOptions(undefined, { staleTime: 60_000 }));
  const actions = useQuery(trpc.auditLog.events.actions.queryOptions(undefined, { staleTime: Infinity }));

  const actionCounts = useMemo(() => new Map(facets.data?.actions.map((action) => [action.value, action.count])), [facets.data]);
  const actionGroups = useMemo(() => {
    const groups = new Map<string, Array<{ name: string; label: string }>>();
    for (const action of actions.data ?? []) groups.set(action.category, [...(groups.get(action.category) ?? []), action]);
    return [...groups.entries()];
  }, [actions.data]);
  const actors = facets.data?.actors ?? [];
  const attempted = facets.data?.attempted;

  const set = (field: keyof TViewFilters) => (value: string) => setDraft((current) => ({ ...current, [field]: value || undefined }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setOpen(false);
    onApply(ZViewFilters.parse(draft));
  };
  const reset = () => {
    setDraft({ showOwnReads: applied.showOwnReads });
    onApply({ showOwnReads: applied.showOwnReads });
  };
  const count = filterCount(applied);
  const dayOf = (value: string | undefined) => value?.slice(0, 10) ?? '';

  return (
    <div className={`filters-area${open ? ' filters-open' : ''}`}>
      <button type="button" className="button button-secondary filters-toggle" aria-expanded={open} aria-controls="filters-form" onClick={() => setOpen(!open)}>
        Filters ({count})
      </button>
      <form id="filters-form" className="filters" role="search" aria-label="Filter the audit log" onSubmit={submit}>
        <label className="filter filter-search">
          Search
          <input type="search" name="search" placeholder="Description, record name or attempted e-mail" value={draft.search ?? ''} onChange={(event) => set('search')(event.target.value)} maxLength={200} />
        </label>
        <label className="filter">
          From
          <input type="date" name="from" value={dayOf(draft.from)} max={dayOf(draft.to) || undefined} onChange={(event) => set('from')(event.target.value)} />
        </label>
        <label className="filter">
          To
          <input type="date" name="to" value={dayOf(draft.to)} min={dayOf(draft.from) || undefined} onChange={(event) => set('to')(event.target.value)} />
        </label>
        <label className="filter">
          User
          <select name="user" value={draft.actorId ?? ''} onChange={(event) => set('actorId')(event.target.value)}>
            <option value="">All users</option>
            {draft.actorId && !actors.some((actor) => actor.value === draft.actorId) && <option value={draft.actorId}>{draft.actorId}</option>}
            {ACTOR_GROUPS.map(({ kind, label }) => {
              const members = actors.filter((actor) => actor.kind === kind);
              return members.length === 0 ? null : (
                <optgroup key={kind} label={label}>
                  {members.map((actor) => (
                    <option key={actor.value} value={actor.value}>
                      {actor.name ?? actor.value} ({actor.count.toLocaleString()})
                    </option>
                  ))}
                </optgroup>
              );
            })}
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
                    {action.label} ({(actionCounts.get(action.name) ?? 0).toLocaleString()})
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
        {attempted && attempted.events > 0 && (
          <p className="filter-note">
            <button type="button" className="link-button" onClick={() => onApply({ showOwnReads: applied.showOwnReads, action: FAILED_SIGN_IN })}>
              Attempted sign-ins: {attempted.events.toLocaleString()} by {attempted.identities.toLocaleString()} {attempted.identities === 1 ? 'identity' : 'identities'}
            </button>{' '}
            <span className="muted">(not users; search finds an e-mail that was tried)</span>
          </p>
        )}
      </form>
    </div>
  );
}
