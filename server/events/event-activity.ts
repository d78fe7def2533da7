import { z } from 'zod';
import { hourOf, MS_PER_HOUR } from './event.document';
import type { HourCount } from './event-activity.repository';

/** The longest range the chart covers, counted back from its end: a year of days. */
export const ACTIVITY_MAX_DAYS = 366;
const MS_PER_DAY = 24 * MS_PER_HOUR;

export const ZActivity = z.object({
  /** The first and last instants the chart covers (the filters' range, or the oldest match to now). */
  from: z.date(),
  to: z.date(),
  /** Events per hour with at least one: [hours since the epoch, count], oldest first. */
  hours: z.array(z.tuple([z.number().int(), z.number().int()])),
  /** Matching events in the range. */
  total: z.number().int(),
  /** Of `total`, those stored before events carried their hour (not in `hours`). */
  uncounted: z.number().int(),
  /** True when the range was cut to its last ACTIVITY_MAX_DAYS days. */
  clipped: z.boolean(),
});
export type TActivity = z.infer<typeof ZActivity>;

/** Pure: the chart's range, from the filters' own or the oldest matching event to now, at most a year long. */
export function activityRange(filters: { from?: Date; to?: Date }, oldest: Date | null, now: Date): { from: Date; to: Date; clipped: boolean } {
  const to = filters.to ?? now;
  const wanted = filters.from ?? oldest ?? to;
  const earliest = new Date(to.getTime() - ACTIVITY_MAX_DAYS * MS_PER_DAY);
  return wanted < earliest ? { from: earliest, to, clipped: true } : { from: wanted, to, clipped: false };
}

/** Pure: the grouped counts as the chart's answer, hours outside the range (a clipped start) left out. */
export function toActivity(range: { from: Date; to: Date; clipped: boolean }, counts: HourCount[]): TActivity {
  const first = hourOf(range.from);
  const last = hourOf(range.to);
  let uncounted = 0;
  const hours: Array<[number, number]> = [];
  for (const { hour, count } of counts) {
    if (hour === null) uncounted += count;
    else if (hour >= first && hour <= last) hours.push([hour, count]);
  }
  hours.sort((a, b) => a[0] - b[0]);
  const total = hours.reduce((sum, [, count]) => sum + count, uncounted);
  return { ...range, hours, total, uncounted, clipped: range.clipped };
}
