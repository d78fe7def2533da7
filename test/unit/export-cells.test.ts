import { csvField, neutraliseFormula, createTimeZoneOffsets, isValidTimeZone } from '../../server/exports/export-file-writer';
import { DEFAULT_EXPORT_COLUMNS, resolveExportColumns } from '../../server/exports/export-columns';

describe('neutraliseFormula', () => {
  it.each(['=SUM(A1:A9)', '+1+1', '-2+3', '@cmd', '\tTAB', '\rCR'])('turns %j into plain text', (text) => {
    expect(neutraliseFormula(text)).toBe(`'${text}`);
  });

  it('leaves ordinary text alone', () => {
    expect(neutraliseFormula('Updated contact = done')).toBe('Updated contact = done');
    expect(neutraliseFormula('')).toBe('');
  });
});

describe('csvField', () => {
  it('quotes fields with commas, quotes or line breaks and doubles inner quotes (RFC 4180)', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('plain')).toBe('plain');
  });
});

describe('time zone offsets', () => {
  it('formats an instant in the zone, across a daylight-saving change', () => {
    const berlin = createTimeZoneOffsets('Europe/Berlin');
    expect(berlin.toIsoString(new Date('2026-03-29T00:59:59Z'))).toBe('2026-03-29T01:59:59.000+01:00');
    expect(berlin.toIsoString(new Date('2026-03-29T01:00:00Z'))).toBe('2026-03-29T03:00:00.000+02:00');
    expect(createTimeZoneOffsets('UTC').toIsoString(new Date('2026-01-01T00:00:00Z'))).toBe('2026-01-01T00:00:00.000Z');
  });

  it('handles zones west of UTC and with half-hour offsets', () => {
    expect(createTimeZoneOffsets('America/New_York').toIsoString(new Date('2026-07-04T12:00:00.250Z'))).toBe('2026-07-04T08:00:00.250-04:00');
    expect(createTimeZoneOffsets('Asia/Kolkata').toIsoString(new Date('2026-07-04T12:00:00Z'))).toBe('2026-07-04T17:30:00.000+05:30');
  });

  it('gives spreadsheet dates whose fields are the wall-clock time in the zone', () => {
    const tokyo = createTimeZoneOffsets('Asia/Tokyo');
    expect(tokyo.toWallClockDate(new Date('2026-01-01T20:00:00Z')).toISOString()).toBe('2026-01-02T05:00:00.000Z');
  });

  it('knows valid zone names from invalid ones', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});

describe('export columns', () => {
  it('start with the columns people expect, and add requested ones once', () => {
    expect(DEFAULT_EXPORT_COLUMNS).toEqual(['user', 'occurredAt', 'action', 'subject', 'description', 'editCount', 'status', 'deviceType', 'ip', 'sessionId', 'userAgent']);
    expect(resolveExportColumns(['eventId', 'user', 'eventId'])).toEqual([...DEFAULT_EXPORT_COLUMNS, 'eventId']);
  });
});
