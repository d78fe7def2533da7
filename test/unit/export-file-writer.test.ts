import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { ObjectId } from 'mongodb';
import { toEventDocument, type EventDocument } from '../../server/events/event.document';
import type { TAuditEvent } from '../../server/events/event.schema';
import { createExportFileWriter, type ExportFileOptions } from '../../server/exports/export-file-writer';

function makeEvent(overrides: Partial<TAuditEvent> = {}): EventDocument {
  return toEventDocument({
    id: '65a1b2c3d4e5f60718293a4b',
    tenantId: 't1',
    occurredAt: new Date('2026-07-04T12:00:00Z'),
    receivedAt: new Date('2026-07-04T12:00:01Z'),
    actor: { id: 'u1', name: 'Ada Lovelace', type: 'user' },
    action: 'record.updated',
    subject: { type: 'contact', id: 'c1', name: 'Grace, "Amazing" Hopper' },
    description: '=HYPERLINK("http://evil.example","click")',
    changes: [],
    editCount: 2,
    status: 'success',
    context: { ip: '203.0.113.7', sessionId: 's1', deviceType: 'desktop', userAgent: 'Mozilla/5.0' },
    ...overrides,
  }, (hex) => new ObjectId(hex));
}

const options = (format: 'csv' | 'xlsx', extra: Partial<ExportFileOptions> = {}): ExportFileOptions => ({
  format,
  columns: ['user', 'occurredAt', 'action', 'subject', 'description', 'editCount', 'status', 'deviceType', 'ip', 'sessionId', 'userAgent'],
  timeZone: 'Europe/Berlin',
  actionLabels: new Map([['record.updated', 'Record updated']]),
  ...extra,
});

async function writeToBuffer(format: 'csv' | 'xlsx', events: EventDocument[], extra: Partial<ExportFileOptions> = {}): Promise<Buffer> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const writer = createExportFileWriter(output, options(format, extra));
  for (const event of events) await writer.writeRow(event);
  await writer.finish();
  return Buffer.concat(chunks);
}

describe('CSV export files', () => {
  it('have a header, RFC 4180 quoting, zone-local ISO dates and neutralised formulas', async () => {
    const text = (await writeToBuffer('csv', [makeEvent()])).toString('utf8');
    expect(text.split('\r\n')).toEqual([
      'User,Date/time,Action,Subject,Description,Number of edits,Status,Device type,IP address,Session ID,User agent',
      `Ada Lovelace,2026-07-04T14:00:00.000+02:00,Record updated,"Grace, ""Amazing"" Hopper","'=HYPERLINK(""http://evil.example"",""click"")",2,success,desktop,203.0.113.7,s1,Mozilla/5.0`,
      '',
    ]);
  });

  it('start with a byte-order mark when asked, for Excel', async () => {
    const bytes = await writeToBuffer('csv', [], { bom: true });
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });
});

describe('XLSX export files', () => {
  it('have a bold frozen header with an autofilter, real date cells in the zone, and neutralised formulas', async () => {
    const workbook = new ExcelJS.Workbook();
    const bytes = await writeToBuffer('xlsx', [makeEvent(), makeEvent({ description: 'plain' })]);
    await workbook.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.rowCount).toBe(3);
    expect(sheet.getRow(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBeTruthy();
    const dateCell = sheet.getRow(2).getCell(2);
    expect(dateCell.value).toBeInstanceOf(Date);
    expect((dateCell.value as Date).toISOString()).toBe('2026-07-04T14:00:00.000Z');
    expect(sheet.getRow(2).getCell(5).value).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(sheet.getRow(2).getCell(6).value).toBe(2);
    expect(sheet.getRow(3).getCell(5).value).toBe('plain');
  });
});
