// `pressroom subscribers import FILE.csv`: streams the file through csv-parse and hands the store
// chunks of valid rows, so a million-row file never sits in memory. Bad rows are reported one line
// each (`subs.csv:17: email: "foo@" is not an email address (...)`) and skipped; the good rows are
// still imported; duplicates (stored already, or repeated in the file) are skipped and counted.
//
// Columns (header row required, names case-insensitive, any order):
//   email (required), name, topics (separated by ";" or "|"), status (default active), source
//   (default "import:<file name>"); created_at, confirmed_at and unsubscribed_at are accepted so an
//   `export` can be imported back, and ignored.
import path from 'node:path';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { emailProblem, invalidEmailMessage } from './email.js';
import type { NewSubscriber, Store, SubscriberStatus } from './store.js';

export const IMPORT_COLUMNS = ['email', 'name', 'topics', 'status', 'source'] as const;
const IGNORED_COLUMNS = ['created_at', 'confirmed_at', 'unsubscribed_at', 'id'];
const STATUSES: readonly SubscriberStatus[] = ['pending', 'active', 'unsubscribed', 'bounced', 'complained'];
const CHUNK = 5000;

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
  bad: number;
}

/** Splits a topics cell: `go; rust|k8s` -> ['go', 'rust', 'k8s']. */
export function splitTopics(cell: string): string[] {
  return cell.split(/[;|]/).map((t) => t.trim()).filter(Boolean);
}

export async function importSubscribersCsv(
  store: Store,
  input: Readable,
  options: { file: string; onProblem: (p: ImportProblem) => void; now?: Date },
): Promise<ImportSummary> {
  const { file, onProblem } = options;
  const summary: ImportSummary = { rows: 0, added: 0, duplicates: 0, bad: 0 };
  const defaultSource = `import:${path.basename(file)}`;
  const bad = (p: Omit<ImportProblem, 'file'>) => {
    summary.bad++;
    onProblem({ file, ...p });
  };

  const parser = input.pipe(
    parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, skip_records_with_error: true, info: true }),
  );
  // csv-parse reports unparseable records as it reads, ahead of the records we consume; hold them
  // back so every problem comes out in line order.
  const skipped: Array<{ line: number; message: string }> = [];
  parser.on('skip', (err: Error & { lines?: number }) => skipped.push({ line: err.lines ?? 0, message: err.message }));
  const reportSkipped = (upTo: number) => {
    while (skipped.length > 0 && skipped[0]!.line <= upTo) {
      const s = skipped.shift()!;
      summary.rows++;
      bad({ line: s.line, field: 'CSV', message: s.message });
    }
  };
  input.on('error', (err) => parser.destroy(err));

  let columns: Map<string, number> | null = null;
  let chunk: NewSubscriber[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const r = await store.importSubscribers(chunk, options.now);
    summary.added += r.added;
    summary.duplicates += r.duplicates;
    chunk = [];
  };

  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const line = info.lines - newlinesInside(record);
    reportSkipped(line);
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
      return i === undefined ? '' : (record[i] ?? '');
    };
    const email = cell('email');
    const problem = emailProblem(email);
    if (problem) {
      bad({ line, ...splitField(invalidEmailMessage(email, problem)) });
      continue;
    }
    const status = cell('status') || 'active';
    if (!STATUSES.includes(status as SubscriberStatus)) {
      bad({ line, field: 'status', message: `"${status}" is not one of ${STATUSES.join(', ')}` });
      continue;
    }
    chunk.push({
      email,
      name: cell('name') || null,
      topics: splitTopics(cell('topics')),
      status: status as SubscriberStatus,
      source: cell('source') || defaultSource,
    });
    if (chunk.length >= CHUNK) await flush();
  }
  reportSkipped(Infinity);
  if (!columns) throw new ImportHeaderError(`${file}:1: header: the file is empty (expected a header row: email,name,topics)`);
  await flush();
  return summary;
}

/** A header that cannot be used: nothing is imported. */
export class ImportHeaderError extends Error {}

function readHeader(record: string[], file: string, line: number): Map<string, number> {
  const columns = new Map<string, number>();
  record.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (!(IMPORT_COLUMNS as readonly string[]).includes(name) && !IGNORED_COLUMNS.includes(name)) {
      throw new ImportHeaderError(
        `${file}:${line}: header: unknown column "${raw}" (expected ${IMPORT_COLUMNS.join(', ')}; email is required)`,
      );
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
