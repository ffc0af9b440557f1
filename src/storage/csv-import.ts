// `pressroom subscribers import FILE.csv`: streams the file through csv-parse and hands the store
// chunks of valid rows, so a million-row file never sits in memory. Bad rows are reported one line
// each (`subs.csv:17: email: "foo@" is not an email address (...)`) and skipped; the good rows are
// still imported; duplicates (stored already, or repeated in the file) are skipped and counted.
// The file is read twice: first its bytes (csv-scan.ts: invalid UTF-8, NUL bytes, over-long lines,
// unclosed quotes, each reported on its line), then its records. Every row meets the sign-up
// form's rules (src/domain/): the same address parser, name and topic limits.
//
// Columns (header row required, names case-insensitive, any order):
//   email (required), name, topics (separated by ";" or "|"), status (default active), source
//   (default "import:<file name>"); created_at, confirmed_at and unsubscribed_at are accepted so an
//   `export` can be imported back, and ignored.
import path from 'node:path';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { invalidAddressMessage, parseAddress } from '../domain/address.js';
import { restoreCell } from '../domain/csv-cells.js';
import { checkNameText, checkTopicList } from '../domain/subscriber-fields.js';
import { blankLines, CsvScanner, MAX_ROW_BYTES } from './csv-scan.js';
import { isSubscriberStatus, SUBSCRIBER_STATUSES } from '../domain/subscriber-status.js';
import type { NewSubscriber, Store } from './store.js';

export const IMPORT_COLUMNS = ['email', 'name', 'topics', 'status', 'source'] as const;
const IGNORED_COLUMNS = ['created_at', 'confirmed_at', 'unsubscribed_at', 'id'];
const CHUNK = 5000;
const MAX_SOURCE_LENGTH = 200;

export interface ImportProblem {
  file: string;
  line: number;
  field?: string;
  message: string;
}

export function formatImportProblem(p: ImportProblem): string {
  return p.field ? `${p.file}:${p.line}: ${p.field}: ${p.message}` : `${p.file}:${p.line}: ${p.message}`;
}

export interface ImportSummary {
  rows: number;
  added: number;
  duplicates: number;
  /** Addresses on the suppression list (they bounced, complained or unsubscribed before): skipped. */
  suppressed: number;
  bad: number;
}

/** Splits a topics cell: `go; rust|k8s` -> ['go', 'rust', 'k8s']. */
export function splitTopics(cell: string): string[] {
  return cell
    .split(/[;|]/)
    .map((t) => t.trim())
    .filter(Boolean);
}

/** `open` is called twice (the byte scan, then the records), each time for the whole input from its start. */
export async function importSubscribersCsv(
  store: Store,
  open: () => Readable,
  options: { file: string; onProblem: (p: ImportProblem) => void; now?: Date },
): Promise<ImportSummary> {
  const { file, onProblem } = options;
  const summary: ImportSummary = { rows: 0, added: 0, duplicates: 0, suppressed: 0, bad: 0 };
  const defaultSource = `import:${path.basename(file)}`;
  const bad = (p: Omit<ImportProblem, 'file'>) => {
    summary.bad++;
    onProblem({ file, ...p });
  };

  const scan = await scanBytes(open());
  // Problems come out in line order: the byte scan's are held until the records reach their line.
  const held = scan.problems.map(({ line, message }) => ({ line, ...splitField(message) }));
  const reportHeld = (upTo: number) => {
    while (held.length > 0 && held[0]!.line <= upTo) {
      summary.rows++;
      bad(held.shift()!);
    }
  };

  const input = open();
  const parser = input.pipe(blankLines(scan.blank)).pipe(
    parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
      max_record_size: MAX_ROW_BYTES,
      skip_records_with_error: true,
      info: true,
    }),
  );
  // csv-parse reports unparseable records as it reads, ahead of the records we consume; hold them
  // back so every problem comes out in line order.
  parser.on('skip', (err: Error & { lines?: number }) => {
    held.push({ line: err.lines ?? 0, field: 'CSV', message: err.message });
    held.sort((a, b) => a.line - b.line);
  });
  input.on('error', (err) => parser.destroy(err));

  let columns: Map<string, number> | null = null;
  let chunk: NewSubscriber[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const r = await store.importSubscribers(chunk, options.now);
    summary.added += r.added;
    summary.duplicates += r.duplicates;
    summary.suppressed += r.suppressed;
    chunk = [];
  };

  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const last = info.lines;
    const line = last - newlinesInside(record);
    reportHeld(line);
    if (columns && touches(scan.unreadable, line, last)) continue; // reported by the byte scan
    if (!columns) {
      columns = readHeader(record, file, line);
      continue;
    }
    summary.rows++;
    if (record.length > columns.size) {
      bad({ line, message: `${record.length} fields, but the header has ${columns.size}` });
      continue;
    }
    const cell = (name: string): string => {
      const i = columns!.get(name);
      return i === undefined ? '' : restoreCell(record[i] ?? '');
    };
    const row = readRow(cell, defaultSource);
    if (!row.ok) {
      bad({ line, ...row.problem });
      continue;
    }
    chunk.push(row.value);
    if (chunk.length >= CHUNK) await flush();
  }
  reportHeld(Infinity);
  if (!columns) throw new ImportHeaderError(`${file}:1: header: the file is empty (expected a header row: email,name,topics)`);
  await flush();
  return summary;
}

type RowResult = { ok: true; value: NewSubscriber } | { ok: false; problem: { field: string; message: string } };

/** One record against the sign-up form's rules. */
function readRow(cell: (name: string) => string, defaultSource: string): RowResult {
  const email = cell('email');
  const address = parseAddress(email);
  if (!address.ok) return { ok: false, problem: splitField(invalidAddressMessage(email, address.problem)) };
  const name = checkNameText(cell('name'));
  if (!name.ok) return { ok: false, problem: splitField(name.error) };
  const topics = checkTopicList(splitTopics(cell('topics')));
  if (!topics.ok) return { ok: false, problem: splitField(topics.error) };
  const status = cell('status') || 'active';
  if (!isSubscriberStatus(status)) {
    return { ok: false, problem: { field: 'status', message: `"${status}" is not one of ${SUBSCRIBER_STATUSES.join(', ')}` } };
  }
  const source = cell('source');
  if (source.length > MAX_SOURCE_LENGTH) return { ok: false, problem: { field: 'source', message: `longer than ${MAX_SOURCE_LENGTH} characters` } };
  return {
    ok: true,
    value: { email: address.address, name: name.value, topics: topics.value, status, source: source || defaultSource },
  };
}

async function scanBytes(input: Readable) {
  const scanner = new CsvScanner();
  for await (const chunk of input as AsyncIterable<Buffer | string>) scanner.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return scanner.end();
}

function touches(lines: ReadonlySet<number>, first: number, last: number): boolean {
  if (lines.size === 0) return false;
  for (let l = first; l <= last; l++) if (lines.has(l)) return true;
  return false;
}

/** A header that cannot be used: nothing is imported. */
export class ImportHeaderError extends Error {}

function readHeader(record: string[], file: string, line: number): Map<string, number> {
  const columns = new Map<string, number>();
  record.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (!(IMPORT_COLUMNS as readonly string[]).includes(name) && !IGNORED_COLUMNS.includes(name)) {
      throw new ImportHeaderError(`${file}:${line}: header: unknown column "${raw}" (expected ${IMPORT_COLUMNS.join(', ')}; email is required)`);
    }
    if (columns.has(name)) throw new ImportHeaderError(`${file}:${line}: header: column "${name}" appears twice`);
    columns.set(name, i);
  });
  if (!columns.has('email')) {
    throw new ImportHeaderError(`${file}:${line}: header: no "email" column (expected a header row such as email,name,topics)`);
  }
  return columns;
}

// A quoted field may span lines; csv-parse gives the line a record ends on, we report where it
// starts. (Counting the fields' own line breaks is much cheaper than asking csv-parse for `raw`.)
function newlinesInside(record: string[]): number {
  let n = 0;
  for (const field of record) {
    for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) n++;
  }
  return n;
}

function splitField(message: string): { field: string; message: string } {
  const i = message.indexOf(': ');
  return { field: message.slice(0, i), message: message.slice(i + 2) };
}
