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
