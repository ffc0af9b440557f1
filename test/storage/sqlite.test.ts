import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { openStore } from '../../src/storage/open.js';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { MIGRATIONS, SQL } from '../../src/storage/sqlite/sql.js';
import { StoreError } from '../../src/storage/store.js';
import { accountsContract } from './accounts-contract.js';
import { workersContract } from './workers-contract.js';
import { brakesContract } from './brakes-contract.js';
import { errorsContract } from './errors-contract.js';
import { eventsContract } from './events-contract.js';
import { feedbackContract } from './feedback-contract.js';
import { newcomersContract } from './newcomers-contract.js';
import { storeContract } from './store-contract.js';
import { subscriberSearchContract } from './subscriber-search-contract.js';

const root = mkdtempSync(path.join(tmpdir(), 'pressroom-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

async function openAt(file: string): Promise<SqliteStore> {
  const store = new SqliteStore(file);
  await store.migrate();
  return store;
}

const harness = {
  async fresh() {
    const file = path.join(root, `contract-${++n}`, 'pressroom.db');
    return { store: await openAt(file), another: () => openAt(file) };
  },
};
storeContract('SQLite', harness);
feedbackContract('SQLite', harness);
eventsContract('SQLite', harness);
brakesContract('SQLite', harness);
newcomersContract('SQLite', harness);
accountsContract('SQLite', harness);
workersContract('SQLite', harness);
errorsContract('SQLite', harness);
subscriberSearchContract('SQLite', harness);

describe('SQLite adapter', () => {
  it('erasure leaves the address in no bounce diagnostic: not in the ledger row, not in the recorded event', async () => {
    const file = path.join(root, 'erase-feedback', 'pressroom.db');
    const store = await openAt(file);
    const s = await store.addSubscriber({ email: 'Gone.Reader@example.org' });
    const { campaign } = await store.createCampaign({ slug: 'i1', title: 'I1', topics: [] });
    await store.claimBatch(campaign.id, 'w', 10, 60_000);
    await store.markSent(campaign.id, s.id, { smtpCode: 250, smtpResponse: 'ok' });
    const diagnostic = 'smtp; 550 5.1.1 <gone.reader@example.org>: Recipient address rejected';
    const policy = { softLimit: 3, softWindowDays: 30, minSample: 500, bouncePauseAbove: 0.05, complaintPauseAbove: 0.001 };
    const target = { by: 'token' as const, campaignId: campaign.id, subscriberId: s.id };
    await store.recordFeedback({ kind: 'hard-bounce', target, source: 'smtp', eventId: 'dsn-1', status: '5.1.1', diagnostic, occurredAt: new Date() }, policy);
    expect(await store.eraseSubscriber('gone.reader@example.org')).toBe(true);
    await store.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file, { readonly: true });
    const row = db.prepare(`SELECT feedback_diagnostic, bounced FROM deliveries`).get() as { feedback_diagnostic: string; bounced: number };
    const event = db.prepare(`SELECT diagnostic FROM feedback_events`).get() as { diagnostic: string };
    db.close();
    expect(row.bounced).toBe(1);
    for (const text of [row.feedback_diagnostic, event.diagnostic]) {
      expect(text).toContain('550 5.1.1');
      expect(text.toLowerCase()).not.toContain('gone.reader');
    }
  });

  it('openStore creates <dataDir>/pressroom.db in WAL mode at the latest schema version', async () => {
    const config = { ...defaultConfig(root), dataDir: path.join(root, 'nested', 'data') };
    const store = await openStore(config);
    expect(store).toBeInstanceOf(SqliteStore);
    const sqlite = store as SqliteStore;
    expect(sqlite.file).toBe(path.join(root, 'nested', 'data', 'pressroom.db'));
    expect(sqlite.schemaVersion()).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    await store.addSubscriber({ email: 'a@example.org' });
    await store.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(sqlite.file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect((db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(MIGRATIONS.length);
    db.close();
  });

  it('migration 3 rebuilds the ledger of a version 2 database: rows, indexes and claims kept; unknown allowed; old campaigns have no transport', async () => {
    const file = path.join(root, 'v2', 'pressroom.db');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.dirname(file), { recursive: true });
    const Database = (await import('better-sqlite3')).default;
    const v2 = new Database(file);
    v2.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    for (const m of MIGRATIONS.filter((m) => m.version <= 2)) {
      v2.exec(m.sql);
      v2.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, '2026-01-01T00:00:00Z');
    }
    v2.exec(`INSERT INTO subscribers (id, email, email_key, status, created_at) VALUES (1, 'a@example.org', 'a@example.org', 'active', 'x'), (2, 'b@example.org', 'b@example.org', 'active', 'x');
      INSERT INTO campaigns (id, slug, title, created_at, recipients) VALUES (7, 'old', 'Old', 'x', 2);
      INSERT INTO deliveries (campaign_id, subscriber_id, email, state, attempts, claimable_at, smtp_code, smtp_response, worker_id)
        VALUES (7, 1, 'a@example.org', 'sent', 1, NULL, 250, '250 ok', 'w'), (7, 2, 'b@example.org', 'queued', 0, 0, NULL, NULL, NULL);`);
    v2.close();

    const store = await openAt(file);
    expect(store.schemaVersion()).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    const old = (await store.getCampaign('old'))!;
    expect(old.transport).toBeNull();
    expect(await store.campaignStats(7)).toMatchObject({ sent: 1, queued: 1, unknown: 0 });
    const [row] = await store.claimBatch(7, 'w2', 10, 60_000);
    expect(row).toMatchObject({ subscriberId: 2, attempts: 1 });
    await store.markUnknown(7, 2, { smtpCode: null, smtpResponse: 'unknown: connection lost after the final dot' });
    expect(await store.campaignStats(7)).toMatchObject({ sent: 1, unknown: 1 });
    await store.close();
    const db = new Database(file, { readonly: true });
    const indexes = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deliveries' AND sql IS NOT NULL ORDER BY name`).all() as Array<{ name: string }>
    ).map((r) => r.name);
    // Migration 8 rebuilds the ledger again and adds the sent-to index (bounces by address).
    expect(indexes).toEqual(['deliveries_claimable', 'deliveries_sent_to', 'deliveries_subscriber']);
    expect((db.prepare(`SELECT smtp_response FROM deliveries WHERE subscriber_id = 1`).get() as { smtp_response: string }).smtp_response).toBe('250 ok');
    db.close();
  });

  it('openStore honours DATABASE_URL=sqlite:PATH and refuses unknown schemes', async () => {
    const config = { ...defaultConfig(root), dataDir: path.join(root, 'd2'), databaseUrl: 'sqlite:custom.db' };
    const store = (await openStore(config)) as SqliteStore;
    expect(store.file).toBe(path.join(root, 'd2', 'custom.db'));
    await store.close();
    await expect(openStore({ ...config, databaseUrl: 'mysql://u:secret@h/db' })).rejects.toThrow(/DATABASE_URL: "mysql:\/\/u:\*\*\*@h\/db" is not supported/);
  });

  it('refuses a read-only database file with a clear one-line error', async () => {
    const dir = path.join(root, 'ro');
    const file = path.join(dir, 'pressroom.db');
    const store = await openAt(file);
    await store.addSubscriber({ email: 'a@example.org' });
    await store.close();
    chmodSync(file, 0o444);
    const err = await openStore({ ...defaultConfig(root), dataDir: dir }).catch((e: unknown) => e);
    chmodSync(file, 0o644);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toBe(`${file}: the database file is read-only (Pressroom must be able to write to it; check its permissions)`);
  });

  it('refuses a file that is not a database, and a data folder that cannot be created', async () => {
    const dir = path.join(root, 'garbage');
    const file = path.join(dir, 'pressroom.db');
    await openAt(path.join(dir, 'x.db')).then((s) => s.close());
    writeFileSync(file, 'this is not sqlite, just text long enough to have a header.....................................');
    const err = await openStore({ ...defaultConfig(root), dataDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(new RegExp(`^${escapeRegExp(file)}: not a usable SQLite database`));

    const blocker = path.join(root, 'blocker');
    writeFileSync(blocker, 'a file where a folder should be');
    const err2 = await openStore({ ...defaultConfig(root), dataDir: path.join(blocker, 'data') }).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(StoreError);
    expect((err2 as Error).message).toMatch(/blocker\/data: cannot create the data directory/);
  });

  it('refuses a database written by a newer Pressroom', async () => {
    const file = path.join(root, 'newer', 'pressroom.db');
    const store = await openAt(file);
    await store.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, ?)').run('future', new Date().toISOString());
    db.close();
    await expect(openAt(file)).rejects.toThrow(/schema version 999 is newer than this Pressroom understands/);
  });

  it('claims through the (campaign_id, claimable_at) index and the campaign row by primary key, not a table scan', async () => {
    const Database = (await import('better-sqlite3')).default;
    const file = path.join(root, 'plan', 'pressroom.db');
    (await openAt(file)).close();
    const db = new Database(file);
    // The claim statement itself, with its check of the campaign row (paused, cancelled): a lookup by primary key, not per ledger row.
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${SQL.claimBatch}`).all({ campaignId: 1, now: 5, limit: 10, workerId: 'w', leaseUntil: 6 }) as Array<{ detail: string }>;
    db.close();
    const details = plan.map((p) => p.detail).join('\n');
    expect(details).toMatch(/SEARCH deliveries USING (COVERING )?INDEX deliveries_claimable \(campaign_id=\? AND claimable_at<\?\)/);
    expect(details).toMatch(/SEARCH campaigns .*USING INTEGER PRIMARY KEY/);
    expect(details).not.toMatch(/\bSCAN\b/);
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
