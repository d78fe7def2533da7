/**
 * Pure: the activity chart's bars from `events.activity` (events per hour with at least one): one
 * bar per hour when the range is two days or less, otherwise one per day in the viewer's zone,
 * empty hours and days included. Unit-tested in test/unit.
 */
const MS_PER_HOUR = 3_600_000;
/** Up to this long a range is charted per hour. */
const HOURLY_UP_TO_HOURS = 48;

export interface ActivityBar {
  /** What the URL's from/to take for this bar: YYYY-MM-DD, or YYYY-MM-DDTHH:00 per hour. */
  key: string;
  start: Date;
  count: number;
}

export interface ActivityBars {
  unit: 'hour' | 'day';
  bars: ActivityBar[];
  max: number;
}

const pad = (value: number) => String(value).padStart(2, '0');
export const localDayKey = (date: Date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
const localHourKey = (date: Date) => `${localDayKey(date)}T${pad(date.getHours())}:00`;

export function activityBars(activity: { from: Date; to: Date; hours: Array<[number, number]> }): ActivityBars {
  const first = Math.floor(activity.from.getTime() / MS_PER_HOUR);
  const last = Math.floor(activity.to.getTime() / MS_PER_HOUR);
  const unit = last - first < HOURLY_UP_TO_HOURS ? 'hour' : 'day';
  const counts = new Map(activity.hours);
  const bars: ActivityBar[] = [];
  for (let hour = first; hour <= last; hour++) {
    const start = new Date(hour * MS_PER_HOUR);
    const key = unit === 'hour' ? localHourKey(start) : localDayKey(start);
    const count = counts.get(hour) ?? 0;
    const bar = bars.at(-1);
    if (bar?.key === key) bar.count += count;
    else bars.push({ key, start: unit === 'hour' ? start : localMidnightOf(start), count });
  }
  return { unit, bars, max: Math.max(0, ...bars.map((bar) => bar.count)) };
}

const localMidnightOf = (date: Date) => new Date(date.getFullYear(), date.getMonth(), date.getDate());

/** The bars from one index to another, either way round: the range a drag across them selects. */
export function selectedRange(bars: ActivityBar[], from: number, to: number): { from: string; to: string } | null {
  const [low, high] = from <= to ? [from, to] : [to, from];
  const first = bars[low];
  const last = bars[high];
  return first && last ? { from: first.key, to: last.key } : null;
}
