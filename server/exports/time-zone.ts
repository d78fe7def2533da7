/**
 * Wall-clock times in an IANA time zone without a date library. Offsets only change on quarter-hour
 * boundaries, so one Intl lookup serves every instant of the same 15 minutes: exports call this for
 * millions of rows.
 */
const QUARTER_HOUR_MS = 15 * 60 * 1000;

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export function createTimeZoneOffsets(timeZone: string) {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const cache = new Map<number, number>();

  const computeOffsetMs = (instantMs: number): number => {
    const parts = Object.fromEntries(format.formatToParts(new Date(instantMs)).map(({ type, value }) => [type, value]));
    const wallAsUtc = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
    return wallAsUtc - Math.floor(instantMs / 1000) * 1000;
  };

  /** Milliseconds to add to a UTC instant to get the wall-clock time in the zone. */
  const offsetMs = (instantMs: number): number => {
    const bucket = Math.floor(instantMs / QUARTER_HOUR_MS);
    let offset = cache.get(bucket);
    if (offset === undefined) {
      offset = computeOffsetMs(bucket * QUARTER_HOUR_MS);
      if (cache.size > 10_000) cache.clear();
      cache.set(bucket, offset);
    }
    return offset;
  };

  return {
    offsetMs,
    /** ISO 8601 with the zone's offset, e.g. 2026-03-29T03:30:00.000+02:00. */
    toIsoString(date: Date): string {
      const offset = offsetMs(date.getTime());
      const wall = new Date(date.getTime() + offset).toISOString().slice(0, -1);
      if (offset === 0) return `${wall}Z`;
      const sign = offset > 0 ? '+' : '-';
      const minutes = Math.abs(offset) / 60_000;
      return `${wall}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    },
    /** A Date whose UTC fields are the zone's wall-clock fields: what a spreadsheet date cell shows. */
    toWallClockDate(date: Date): Date {
      return new Date(date.getTime() + offsetMs(date.getTime()));
    },
  };
}

export type TimeZoneOffsets = ReturnType<typeof createTimeZoneOffsets>;
