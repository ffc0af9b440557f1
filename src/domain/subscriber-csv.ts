// One subscriber as a CSV export row, for `pressroom subscribers export` and GET
// /api/subscribers.csv alike: the import's columns first (src/storage/csv-import.ts), so an export
// imports back, then the dates. Cells go through csvRows (formula-safe).
import type { SubscriberStatus } from './subscriber-status.js';

export const EXPORT_COLUMNS = ['email', 'name', 'topics', 'status', 'source', 'created_at', 'confirmed_at', 'unsubscribed_at'];

interface ExportedSubscriber {
  email: string;
  name: string | null;
  topics: readonly string[];
  status: SubscriberStatus;
  source: string | null;
  createdAt: string;
  confirmedAt: string | null;
  unsubscribedAt: string | null;
}

export function exportCells(s: ExportedSubscriber): string[] {
  return [s.email, s.name ?? '', s.topics.join(';'), s.status, s.source ?? '', s.createdAt, s.confirmedAt ?? '', s.unsubscribedAt ?? ''];
}
