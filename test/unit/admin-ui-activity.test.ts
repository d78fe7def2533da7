import { activityBars, localDayKey, selectedRange } from '../../client/admin-ui/src/activity-bars';
import { describeExportFilters, plainFailure } from '../../client/admin-ui/src/export-summary';

const HOUR = 3_600_000;
const hourOf = (date: Date) => Math.floor(date.getTime() / HOUR);

describe('activity bars (the chart above the table)', () => {
  it('draws one bar per hour, empty hours included, for a range of two days or less', () => {
    const from = new Date(2026, 4, 4, 9, 30);
    const to = new Date(2026, 4, 4, 12, 10);
    const chart = activityBars({ from, to, hours: [[hourOf(from), 2], [hourOf(from) + 2, 5]] });
    expect(chart.unit).toBe('hour');
    expect(chart.bars.map((bar) => [bar.key, bar.count])).toEqual([
      ['2026-05-04T09:00', 2],
      ['2026-05-04T10:00', 0],
      ['2026-05-04T11:00', 5],
      ['2026-05-04T12:00', 0],
    ]);
    expect(chart.max).toBe(5);
  });

  it('folds hours into the viewer’s days for a longer range', () => {
    const from = new Date(2026, 4, 1, 22);
    const to = new Date(2026, 4, 5, 1);
    const chart = activityBars({ from, to, hours: [[hourOf(from), 1], [hourOf(from) + 1, 1], [hourOf(from) + 2, 4]] });
    expect(chart.unit).toBe('day');
    expect(chart.bars.map((bar) => [bar.key, bar.count])).toEqual([
      ['2026-05-01', 2],
      ['2026-05-02', 4],
      ['2026-05-03', 0],
      ['2026-05-04', 0],
      ['2026-05-05', 0],
    ]);
    expect(chart.bars[1]!.start).toEqual(new Date(2026, 4, 2));
    expect(localDayKey(chart.bars[4]!.start)).toBe('2026-05-05');
  });

  it('selects the bars dragged across, whichever way', () => {
    const { bars } = activityBars({ from: new Date(2026, 4, 1), to: new Date(2026, 4, 9), hours: [] });
    expect(selectedRange(bars, 5, 2)).toEqual({ from: '2026-05-03', to: '2026-05-06' });
    expect(selectedRange(bars, 3, 3)).toEqual({ from: '2026-05-04', to: '2026-05-04' });
    expect(selectedRange(bars, 3, 99)).toBeNull();
  });
});

describe('recent exports in words', () => {
  const wording = { actionLabel: (action: string) => (action === 'record.created' ? 'Record created' : action), actorName: (id: string) => (id === 'u-1' ? 'Mark Member' : undefined), timeZone: 'UTC', locale: 'en-GB' };

  it('says "all events, all time" for an export without filters', () => {
    expect(describeExportFilters({}, wording)).toBe('All events, all time (UTC)');
  });

  it('names every filter and the time range in words, people by name', () => {
    const text = describeExportFilters(
      { search: 'acme', actorIds: ['u-1', 'u-2'], actions: ['record.created'], status: 'failure', from: new Date('2026-05-01T00:00:00Z'), to: new Date('2026-05-03T23:59:00Z'), hideOwnReads: true },
      wording,
    );
    expect(text).toBe('Events matching “acme”, by Mark Member or u-2, Record created, failed only, without your own searches of the log, from 1 May 2026, 00:00 to 3 May 2026, 23:59 (UTC)');
  });

  it('explains a failure in plain words with what to do', () => {
    expect(plainFailure('failed', 'The export could not be completed')).toBe('The export could not be completed. Try exporting again.');
    expect(plainFailure('failed', 'operation timed out after 30000 ms')).toMatch(/took too long.*shorter date range/);
    expect(plainFailure('cancelled', undefined)).toMatch(/Cancelled/);
  });
});
