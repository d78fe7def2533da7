import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { TEventFiltersInput } from '../../../server/events/event-filters.schema';
import { activityBars, selectedRange, type ActivityBar } from './activity-bars';
import { useTRPC } from './trpc';

interface ActivityChartProps {
  filters: TEventFiltersInput;
  /** Narrows the view's dates to the bars dragged across (or the one clicked). */
  onNarrow: (range: { from: string; to: string }) => void;
}

const barLabel = (bar: ActivityBar, unit: 'hour' | 'day') =>
  new Intl.DateTimeFormat(undefined, unit === 'hour' ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' }).format(bar.start);

/**
 * Events per hour or day for the view's filters (events.activity: a grouped query, not the loaded
 * rows). Dragging across bars narrows the date range; the same counts are a table for screen readers
 * and keyboards, each row with a button that narrows to it.
 */
export function ActivityChart({ filters, onNarrow }: ActivityChartProps) {
  const trpc = useTRPC();
  const activity = useQuery(trpc.auditLog.events.activity.queryOptions(filters, { staleTime: 30_000 }));
  const chart = useMemo(() => (activity.data ? activityBars(activity.data) : null), [activity.data]);
  const [drag, setDrag] = useState<{ start: number; end: number } | null>(null);
  const dragRef = useRef(drag);
  dragRef.current = drag;

  useEffect(() => {
    const onPointerUp = () => {
      const current = dragRef.current;
      if (!current || !chart) return;
      setDrag(null);
      const range = selectedRange(chart.bars, current.start, current.end);
      if (range) onNarrow(range);
    };
    window.addEventListener('pointerup', onPointerUp);
    return () => window.removeEventListener('pointerup', onPointerUp);
  }, [chart, onNarrow]);

  if (activity.isPending) return <section className="activity activity-pending" aria-label="Activity over time"><p className="muted">Loading activity…</p></section>;
  if (activity.isError || !chart) {
    return (
      <section className="activity" aria-label="Activity over time">
        <p className="form-error">Activity could not be loaded: {activity.error?.message ?? 'unknown error'}</p>
      </section>
    );
  }
  const { unit, bars, max } = chart;
  const total = activity.data.total;
  const [low, high] = drag ? [Math.min(drag.start, drag.end), Math.max(drag.start, drag.end)] : [-1, -1];

  return (
    <section className="activity" aria-labelledby="activity-title">
      <div className="activity-head">
        <h2 id="activity-title">Activity</h2>
        <span className="muted">
          {total.toLocaleString()} {total === 1 ? 'event' : 'events'}, per {unit}
          {bars.length > 1 && `, ${barLabel(bars[0]!, unit)} – ${barLabel(bars.at(-1)!, unit)}`}
          {activity.data.clipped && ' (the last year only)'}
          {bars.length > 1 && ' · drag across bars to narrow the dates'}
        </span>
      </div>
      <div className="activity-bars" role="img" aria-label={`Bar chart of events per ${unit}; the same counts are in the table below.`}>
        {bars.map((bar, index) => (
          <div
            key={bar.key}
            className={`activity-bar${index >= low && index <= high ? ' activity-bar-selected' : ''}`}
            data-key={bar.key}
            title={`${barLabel(bar, unit)}: ${bar.count.toLocaleString()}`}
            onPointerDown={(event) => {
              event.preventDefault();
              setDrag({ start: index, end: index });
            }}
            onPointerEnter={() => setDrag((current) => (current ? { ...current, end: index } : current))}
          >
            <span style={{ height: `${max ? Math.max(bar.count ? 4 : 0, (bar.count / max) * 100) : 0}%` }} />
          </div>
        ))}
      </div>
      {activity.data.uncounted > 0 && <p className="muted">{activity.data.uncounted.toLocaleString()} older events were stored without their hour and are not in the chart.</p>}
      <details className="activity-table">
        <summary>Activity as a table</summary>
        <table>
          <caption className="visually-hidden">Events per {unit}</caption>
          <thead>
            <tr>
              <th scope="col">{unit === 'hour' ? 'Hour' : 'Day'}</th>
              <th scope="col">Events</th>
              <th scope="col"><span className="visually-hidden">Narrow</span></th>
            </tr>
          </thead>
          <tbody>
            {bars.map((bar) => (
              <tr key={bar.key}>
                <th scope="row">{barLabel(bar, unit)}</th>
                <td className="cell-number">{bar.count.toLocaleString()}</td>
                <td>
                  {bar.count > 0 && (
                    <button type="button" className="link-button" onClick={() => onNarrow({ from: bar.key, to: bar.key })}>
                      Show these
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
