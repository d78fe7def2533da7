import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { lazyModule } from '../common/lazy-module';
import type { EventDocument } from '../events';
import type { TExportFormat } from './export.schema';
import { EXPORT_COLUMNS, type CellValue, type TExportColumn } from './export-columns';
import type { ExportProof } from './export-integrity';
import { createNdjsonWriter } from './ndjson-file-writer';

/** exceljs (and its zip writers) only once an XLSX file is written: 7 MB of heap a host need not hold. */
const exceljs = lazyModule(() => require('exceljs') as typeof import('exceljs'));

/**
 * A spreadsheet runs text that starts with one of these as a formula (CSV injection, OWASP).
 * Prefixing an apostrophe makes it plain text in Excel, LibreOffice and Google Sheets.
 */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);

export function neutraliseFormula(text: string): string {
  return text.length > 0 && FORMULA_TRIGGERS.has(text[0]!) ? `'${text}` : text;
}

/** RFC 4180: quote a field when it holds a quote, comma or line break; double inner quotes. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

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


export interface ExportFileOptions {
  format: TExportFormat;
  columns: readonly TExportColumn[];
  timeZone: string;
  /** Action name → label, for the Action column. */
  actionLabels: ReadonlyMap<string, string>;
  /** CSV only: a UTF-8 byte-order mark so Excel opens accented text correctly. */
  bom?: boolean;
  /** The export's integrity proof: NDJSON lines come from it, every format's rows are observed by it. */
  proof?: ExportProof;
}

export interface ExportFileWriter {
  /** Resolves when the row is accepted; waits while the output is backed up, so memory stays flat. */
  writeRow(event: EventDocument): Promise<void> | void;
  finish(): Promise<void>;
}

/** One data sheet holds 1,048,576 rows, the first of which is the header. */
export const XLSX_MAX_DATA_ROWS_PER_SHEET = 1_048_575;

export function createExportFileWriter(output: Writable, options: ExportFileOptions): ExportFileWriter {
  const { proof } = options;
  if (options.format === 'ndjson') {
    if (!proof) throw new Error('an NDJSON export needs the integrity proof of its events');
    return observedBy(proof, createNdjsonWriter(output, proof));
  }
  const writer = options.format === 'csv' ? createCsvWriter(output, options) : createXlsxWriter(output, options);
  return proof ? observedBy(proof, writer) : writer;
}

function observedBy(proof: ExportProof, writer: ExportFileWriter): ExportFileWriter {
  return {
    writeRow(event) {
      proof.observe(event);
      return writer.writeRow(event);
    },
    finish: () => writer.finish(),
  };
}

function createCsvWriter(output: Writable, { columns, timeZone, actionLabels, bom }: ExportFileOptions): ExportFileWriter {
  const zone = createTimeZoneOffsets(timeZone);
  const definitions = columns.map((column) => EXPORT_COLUMNS[column]);
  const render = (value: CellValue): string => {
    if (value === undefined) return '';
    if (value instanceof Date) return zone.toIsoString(value);
    if (typeof value === 'number') return String(value);
    return csvField(neutraliseFormula(value));
  };
  let pending = (bom ? '\uFEFF' : '') + definitions.map(({ header }) => csvField(header)).join(',') + '\r\n';

  const writePending = async () => {
    const chunk = pending;
    pending = '';
    if (!output.write(chunk, 'utf8')) await once(output, 'drain');
  };

  return {
    writeRow(event) {
      pending += definitions.map((definition) => render(definition.value(event, actionLabels))).join(',') + '\r\n';
      // Strings are joined until 64 KiB, then written: fewer, larger writes for the file stream.
      if (pending.length >= 65_536) return writePending();
    },
    async finish() {
      if (pending) await writePending();
      output.end();
      await once(output, 'finish');
    },
  };
}

function createXlsxWriter(output: Writable, { columns, timeZone, actionLabels }: ExportFileOptions): ExportFileWriter {
  const zone = createTimeZoneOffsets(timeZone);
  const definitions = columns.map((column) => EXPORT_COLUMNS[column]);
  // Inline strings: a shared-strings table would grow with every distinct description.
  const workbook = new (exceljs().stream.xlsx.WorkbookWriter)({ stream: output, useStyles: true, useSharedStrings: false });
  let sheet: ExcelJS.Worksheet;
  let rowsInSheet = 0;
  let sheetNumber = 0;

  const openSheet = () => {
    sheetNumber++;
    sheet = workbook.addWorksheet(sheetNumber === 1 ? 'Audit log' : `Audit log (${sheetNumber})`, {
      views: [{ state: 'frozen', ySplit: 1 }],
    });
    sheet.columns = definitions.map(({ header, width, kind }) => ({
      header,
      width,
      style: kind === 'date' ? { numFmt: 'yyyy-mm-dd hh:mm:ss' } : {},
    }));
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: definitions.length } };
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).commit();
    rowsInSheet = 0;
  };

  /**
   * exceljs pipes each sheet into archiver without honouring backpressure, so a fast producer
   * grows archiver's input buffer without bound. Wait for it to drain whenever it asks to.
   */
  const waitForZip = async () => {
    // The PassThrough comes from `readable-stream`, which lacks `writableNeedDrain`: read its state.
    type ZipInput = Writable & { _writableState?: { needDrain?: boolean } };
    const sheetStream = (sheet as unknown as { _stream?: { pipes?: ZipInput[] } })._stream;
    const zipInput = sheetStream?.pipes?.[0];
    if (zipInput?._writableState?.needDrain) await once(zipInput, 'drain');
  };

  const cell = (value: CellValue): ExcelJS.CellValue => {
    if (value === undefined) return null;
    if (value instanceof Date) return zone.toWallClockDate(value);
    if (typeof value === 'number') return value;
    return neutraliseFormula(value);
  };

  openSheet();
  return {
    writeRow(event) {
      if (rowsInSheet === XLSX_MAX_DATA_ROWS_PER_SHEET) {
        // archiver zips entries one at a time: commit a full sheet before starting the next.
        sheet.commit();
        openSheet();
      }
      sheet.addRow(definitions.map((definition) => cell(definition.value(event, actionLabels)))).commit();
      rowsInSheet++;
      if (rowsInSheet % 256 === 0) return waitForZip();
    },
    async finish() {
      sheet.commit();
      await workbook.commit();
    },
  };
}
