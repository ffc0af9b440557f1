// What the operator API and the console both do with the subscriber list, written once: a keyset
// page with its (capped) count, the checks on an edit, erasure by id, the CSV export as a stream of
// chunks and the CSV import of an uploaded text. The API (subscribers-api.ts) answers JSON, the
// console pages (admin/subscribers.ts) render them.
import { Readable } from 'node:stream';
import { EXPORT_COLUMNS, exportCells } from '../domain/subscriber-csv.js';
import type { ImportProblem, ImportSummary } from '../storage/csv-import.js';
import type { Store, Subscriber, SubscriberChanges, SubscriberFilter, SubscriberStatus } from '../storage/store.js';
import { checkName, checkTopics, type Checked } from './input.js';

/** Counting stops here: past it a page says "more than 1000" (an exact count reads every match, and a broad search with a rare status would read most of the list). */
export const COUNT_CAP = 1000;
const EXPORT_PAGE = 1000;

export interface PageRequest extends SubscriberFilter {
  afterId?: number;
  limit: number;
}

export interface SubscriberPage {
  subscribers: Subscriber[];
  /** The cursor of the next page (the last id on this one), null when this is the last. */
  next: number | null;
  total: { count: number; capped: boolean };
}

export async function subscriberPage(store: Store, request: PageRequest): Promise<SubscriberPage> {
  const { afterId, limit, ...filter } = request;
  // One more than asked: whether a next page exists, without a "next" link to an empty page.
  const [rows, counted] = await Promise.all([store.listSubscribers({ ...filter, afterId, limit: limit + 1 }), store.countMatchingSubscribers(filter, COUNT_CAP + 1)]);
  const subscribers = rows.slice(0, limit);
  const next = rows.length > limit ? subscribers[subscribers.length - 1]!.id : null;
  return { subscribers, next, total: { count: Math.min(counted, COUNT_CAP), capped: counted > COUNT_CAP } };
}

export interface ChangeFields {
  name?: string | null;
  topics?: string | string[];
  status?: SubscriberStatus;
}

/** An edit as sent (schemas have checked its shape), through the sign-up's own name and topic rules. */
export function checkChanges(fields: ChangeFields): Checked<SubscriberChanges> {
  const changes: SubscriberChanges = {};
  if (fields.name !== undefined) {
    const name = checkName(fields.name);
    if (!name.ok) return name;
    changes.name = name.value;
  }
  if (fields.topics !== undefined) {
    const topics = checkTopics(fields.topics);
    if (!topics.ok) return topics;
    changes.topics = topics.value;
  }
  if (fields.status !== undefined) changes.status = fields.status;
  return { ok: true, value: changes };
}

/**
 * Erasure, not a plain removal: the operator's "remove" is a person leaving, and erasure is what
 * leaves nothing of their address behind (a suppressed status stays as its hash; see eraseSubscriber).
 */
export async function eraseById(store: Store, id: number): Promise<boolean> {
  const subscriber = await store.getSubscriber(id);
  return subscriber !== null && (await store.eraseSubscriber(subscriber.email));
}

// The CSV libraries load with the first export or import, not with the server.

/** The filtered list as CSV, a page of rows per chunk: memory stays flat for a million rows. */
export function exportCsv(store: Store, filter: SubscriberFilter): Readable {
  async function* chunks(): AsyncGenerator<string> {
    const { csvRows } = await import('../domain/csv-cells.js');
    yield csvRows([EXPORT_COLUMNS]);
    let afterId = 0;
    for (;;) {
      const page = await store.listSubscribers({ ...filter, afterId, limit: EXPORT_PAGE });
      if (page.length > 0) yield csvRows(page.map(exportCells));
      if (page.length < EXPORT_PAGE) return;
      afterId = page[page.length - 1]!.id;
    }
  }
  return Readable.from(chunks());
}

/** `line 3: email: ...`: an upload has no file name worth repeating on every line. */
function lineReport(p: ImportProblem): string {
  return p.field ? `line ${p.line}: ${p.field}: ${p.message}` : `line ${p.line}: ${p.message}`;
}

export type ImportAnswer = { ok: true; summary: ImportSummary; problems: string[] } | { ok: false; error: string };

/** The same importer as `pressroom subscribers import`: a header row, and each bad row reported as `line N: reason`. */
export async function importCsvText(store: Store, text: string): Promise<ImportAnswer> {
  const problems: string[] = [];
  const { ImportHeaderError, importSubscribersCsv } = await import('../storage/csv-import.js');
  try {
    const summary = await importSubscribersCsv(store, () => Readable.from([text]), {
      file: 'upload.csv',
      onProblem: (p) => problems.push(lineReport(p)),
    });
    return { ok: true, summary, problems };
  } catch (err) {
    if (err instanceof ImportHeaderError) return { ok: false, error: err.message };
    throw err;
  }
}
