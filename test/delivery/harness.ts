// A throwaway Pressroom setup for delivery tests: a temp folder with one issue file, a real SQLite
// store in its data folder, and N active subscribers (sub<i>@example.org).
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config/config.js';
import type { Issue } from '../../src/content/issue.js';
import { findIssue, loadIssues } from '../../src/content/load.js';
import { openStore } from '../../src/storage/open.js';
import type { Store } from '../../src/storage/store.js';
import { makeSite, SLUG } from '../support/site.js';

export { makeSite, SLUG } from '../support/site.js';

export interface Harness {
  dir: string;
  config: Config;
  store: Store;
  issue: Issue;
  emails: string[];
  cleanup(): Promise<void>;
}

export function address(i: number): string {
  return `sub${i}@example.org`;
}

export async function makeHarness(subscribers: number, opts: { topics?: (i: number) => string[] } = {}): Promise<Harness> {
  const { dir, config } = makeSite();
  const store = await openStore(config);
  const emails = Array.from({ length: subscribers }, (_, i) => address(i));
  await store.importSubscribers(emails.map((email, i) => ({ email, name: `Reader ${i}`, topics: opts.topics?.(i) ?? [], status: 'active' as const })));
  const { issues, problems } = await loadIssues(config);
  if (problems.length > 0) throw new Error(`fixture issue has problems: ${JSON.stringify(problems)}`);
  const issue = findIssue(issues, SLUG);
  if (!issue) throw new Error('fixture issue not found');
  return {
    dir,
    config,
    store,
    issue,
    emails,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface LedgerRow {
  email: string;
  state: string;
  attempts: number;
  smtpCode: number | null;
  smtpResponse: string | null;
  bounced: boolean;
  temporary: boolean;
  workerId: string | null;
}

/**
 * The ledger rows of a campaign, read straight from the SQLite file (the Store interface has no
 * per-row listing; tests need one to compare each recipient with the server's count).
 */
export async function readLedger(config: Config, slug: string = SLUG): Promise<Map<string, LedgerRow>> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path.join(config.dataDir, 'pressroom.db'), { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT d.email, d.state, d.attempts, d.smtp_code, d.smtp_response, d.bounced, d.temporary, d.worker_id
         FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.slug = ?`,
      )
      .all(slug) as Array<Record<string, unknown>>;
    return new Map(
      rows.map((r) => [
        String(r.email).toLowerCase(),
        {
          email: String(r.email),
          state: String(r.state),
          attempts: Number(r.attempts),
          smtpCode: r.smtp_code === null ? null : Number(r.smtp_code),
          smtpResponse: r.smtp_response === null ? null : String(r.smtp_response),
          bounced: r.bounced === 1,
          temporary: r.temporary === 1,
          workerId: r.worker_id === null ? null : String(r.worker_id),
        },
      ]),
    );
  } finally {
    db.close();
  }
}
