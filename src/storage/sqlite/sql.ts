// Every SQL statement of the SQLite adapter, in one place.
//
// Ledger design: besides `state`, each row carries `claimable_at` (epoch ms), the moment the row may
// next be claimed: 0 when queued, next_attempt_at when retrying, lease_until while sending, NULL once
// sent or failed. claimBatch is then one range scan of the partial index (campaign_id, claimable_at)
// whatever the list size: queued rows, due retries and expired leases are all `claimable_at <= now`.

/** Versioned migrations, applied in order; never edit a released one, append a new one. */
/** `rekeySubscribers`: after the SQL, the runner re-keys subscribers in JavaScript (src/storage/rekey.ts). */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string; rekeySubscribers?: true }> = [
  {
    version: 1,
    name: 'subscribers, campaigns, ledger, settings',
    sql: `
      CREATE TABLE subscribers (
        id              INTEGER PRIMARY KEY,
        email           TEXT NOT NULL,
        email_key       TEXT NOT NULL UNIQUE,
        name            TEXT,
        status          TEXT NOT NULL CHECK (status IN ('pending','active','unsubscribed','bounced','complained')),
        topics          TEXT NOT NULL DEFAULT '[]',
        created_at      TEXT NOT NULL,
        confirmed_at    TEXT,
        unsubscribed_at TEXT,
        source          TEXT
      );
      CREATE INDEX subscribers_status_id ON subscribers (status, id);

      CREATE TABLE campaigns (
        id          INTEGER PRIMARY KEY,
        slug        TEXT NOT NULL UNIQUE,
        title       TEXT NOT NULL,
        topics      TEXT NOT NULL DEFAULT '[]',
        created_at  TEXT NOT NULL,
        started_at  TEXT,
        finished_at TEXT,
        recipients  INTEGER NOT NULL DEFAULT 0
      );

      CREATE TABLE deliveries (
        campaign_id     INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
        subscriber_id   INTEGER NOT NULL,
        email           TEXT NOT NULL,
        name            TEXT,
        state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sending','sent','retry','failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        claimable_at    INTEGER,
        smtp_code       INTEGER,
        smtp_response   TEXT,
        worker_id       TEXT,
        lease_until     INTEGER,
        bounced         INTEGER NOT NULL DEFAULT 0,
        temporary       INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (campaign_id, subscriber_id)
      );
      CREATE INDEX deliveries_claimable ON deliveries (campaign_id, claimable_at) WHERE claimable_at IS NOT NULL;
      CREATE INDEX deliveries_subscriber ON deliveries (subscriber_id) WHERE claimable_at IS NOT NULL;

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'campaign-wide rate limit buckets',
    // One token bucket per campaign, shared by every process on this file (see SQL.takeSendPermits).
    sql: `
      CREATE TABLE campaign_rate (
        campaign_id INTEGER PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
        tokens      REAL NOT NULL,
        updated_at  INTEGER NOT NULL,
        granted     INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'campaign transport identity; unknown-outcome ledger state',
    // A campaign is sent only through the transport it was started with (see transportIdentity).
    // `unknown`: the connection was lost or timed out after the final dot, so the server may hold
    // the message; final, never retried automatically. SQLite cannot change a CHECK constraint in
    // place, so the ledger is rebuilt (same columns and indexes).
    sql: `
      ALTER TABLE campaigns ADD COLUMN transport TEXT;

      CREATE TABLE deliveries_v3 (
        campaign_id     INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
        subscriber_id   INTEGER NOT NULL,
        email           TEXT NOT NULL,
        name            TEXT,
        state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sending','sent','retry','failed','unknown')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        claimable_at    INTEGER,
        smtp_code       INTEGER,
        smtp_response   TEXT,
        worker_id       TEXT,
        lease_until     INTEGER,
        bounced         INTEGER NOT NULL DEFAULT 0,
        temporary       INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (campaign_id, subscriber_id)
      );
      INSERT INTO deliveries_v3 (campaign_id, subscriber_id, email, name, state, attempts, next_attempt_at, claimable_at,
                                 smtp_code, smtp_response, worker_id, lease_until, bounced, temporary)
        SELECT campaign_id, subscriber_id, email, name, state, attempts, next_attempt_at, claimable_at,
               smtp_code, smtp_response, worker_id, lease_until, bounced, temporary
        FROM deliveries;
      DROP TABLE deliveries;
      ALTER TABLE deliveries_v3 RENAME TO deliveries;
      CREATE INDEX deliveries_claimable ON deliveries (campaign_id, claimable_at) WHERE claimable_at IS NOT NULL;
      CREATE INDEX deliveries_subscriber ON deliveries (subscriber_id) WHERE claimable_at IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'system mail queue (confirm and welcome emails)',
    // Same claim design as the ledger (claimable_at). No address column: the sender reads it from
    // subscribers, and deleting (erasing) a subscriber deletes its queued mail with it.
    sql: `
      CREATE TABLE system_mail (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        kind            TEXT NOT NULL CHECK (kind IN ('confirm','welcome')),
        subscriber_id   INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
        state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sending','sent','retry','failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        created_at      TEXT NOT NULL,
        next_attempt_at INTEGER,
        claimable_at    INTEGER,
        lease_until     INTEGER,
        worker_id       TEXT,
        smtp_code       INTEGER,
        smtp_response   TEXT
      );
      CREATE INDEX system_mail_claimable ON system_mail (claimable_at) WHERE claimable_at IS NOT NULL;
      CREATE INDEX system_mail_subscriber ON system_mail (subscriber_id);
    `,
  },
  {
    version: 5,
    name: 'canonical address keys; merged_subscribers',
    // SQL cannot do NFKC or IDNA: the runner computes the new keys (src/storage/rekey.ts).
    sql: `
      CREATE TABLE merged_subscribers (
        id         INTEGER PRIMARY KEY,
        email      TEXT NOT NULL,
        name       TEXT,
        status     TEXT NOT NULL,
        topics     TEXT NOT NULL,
        created_at TEXT NOT NULL,
        source     TEXT,
        kept_id    INTEGER NOT NULL,
        merged_at  TEXT NOT NULL
      );
    `,
    rekeySubscribers: true,
  },
  {
    version: 6,
    name: 'subscriber ids are never reused',
    // Signed links (unsubscribe, preferences, confirm) carry the subscriber id, so a deleted
    // (erased) subscriber's id must never go to the next sign-up. SQLite gives a new row max(id)+1,
    // which reuses the id of a deleted newest row: the highest id ever handed out is kept here, and
    // new rows start above it (SQL.insertSubscriber). Ids already in the ledger count as handed out.
    sql: `
      CREATE TABLE id_high_water (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT INTO id_high_water (name, value) SELECT 'subscribers', max(
        coalesce((SELECT max(id) FROM subscribers), 0),
        coalesce((SELECT max(id) FROM merged_subscribers), 0),
        coalesce((SELECT max(subscriber_id) FROM deliveries), 0),
        coalesce((SELECT max(subscriber_id) FROM system_mail), 0));
      CREATE TRIGGER subscribers_high_water AFTER DELETE ON subscribers
        BEGIN UPDATE id_high_water SET value = max(value, OLD.id) WHERE name = 'subscribers'; END;
    `,
  },
];

// secure_delete: freed bytes (a deleted subscriber, the old copy of an updated ledger row) are
// overwritten with zeros, so an erased address does not linger in the file's free space.
export const PRAGMAS = ['secure_delete = ON', 'journal_mode = WAL', 'busy_timeout = 10000', 'synchronous = NORMAL', 'foreign_keys = ON'];

/** After an erasure: copy the WAL (which still holds the old pages) into the file and empty it. */
export const TRUNCATE_WAL = 'wal_checkpoint(TRUNCATE)';

export const SQL = {
  createMigrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`,
  currentVersion: `SELECT coalesce(max(version), 0) AS version FROM schema_migrations`,
  recordMigration: `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,

  // Subscribers (ids start above every id ever handed out: see migration 6)
  insertSubscriber: `INSERT INTO subscribers (id, email, email_key, name, status, topics, created_at, confirmed_at, source)
      VALUES (max(coalesce((SELECT max(id) FROM subscribers), 0), (SELECT value FROM id_high_water WHERE name = 'subscribers')) + 1, @email, @emailKey, @name, @status, @topics, @createdAt, @confirmedAt, @source)
      ON CONFLICT (email_key) DO NOTHING
      RETURNING *`,
  importSubscriber: `INSERT INTO subscribers (id, email, email_key, name, status, topics, created_at, confirmed_at, source)
      VALUES (max(coalesce((SELECT max(id) FROM subscribers), 0), (SELECT value FROM id_high_water WHERE name = 'subscribers')) + 1, @email, @emailKey, @name, @status, @topics, @createdAt, @confirmedAt, @source)
      ON CONFLICT (email_key) DO NOTHING`,
  getSubscriber: `SELECT * FROM subscribers WHERE id = ?`,
  findSubscriberByKey: `SELECT * FROM subscribers WHERE email_key = ?`,
  listSubscribers: `SELECT * FROM subscribers WHERE id > ? ORDER BY id LIMIT ?`,
  listSubscribersByStatus: `SELECT * FROM subscribers WHERE status = ? AND id > ? ORDER BY id LIMIT ?`,
  countSubscribers: `SELECT count(*) AS n FROM subscribers`,
  countSubscribersByStatus: `SELECT count(*) AS n FROM subscribers WHERE status = ?`,
  setSubscriberStatus: `UPDATE subscribers SET status = @status,
        confirmed_at = CASE WHEN @status = 'active' THEN coalesce(confirmed_at, @now) ELSE confirmed_at END,
        unsubscribed_at = CASE WHEN @status = 'unsubscribed' THEN @now ELSE unsubscribed_at END
      WHERE id = @id AND (@from IS NULL OR status = @from)`,
  setSubscriberTopics: `UPDATE subscribers SET topics = ? WHERE id = ?`,
  deleteSubscriberByKey: `DELETE FROM subscribers WHERE email_key = ? RETURNING id`,
  // A subscriber who leaves (or bounces) is not mailed what is still waiting for them.
  cancelPendingDeliveries: `UPDATE deliveries SET state = 'failed', claimable_at = NULL, smtp_code = NULL,
        smtp_response = ?, temporary = 0
      WHERE subscriber_id = ? AND claimable_at IS NOT NULL AND state IN ('queued', 'retry')`,

  // Campaigns
  insertCampaign: `INSERT INTO campaigns (slug, title, topics, created_at, transport) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (slug) DO NOTHING RETURNING id`,
  // The first sender of a campaign created before transports were recorded adopts it.
  claimCampaignTransport: `UPDATE campaigns SET transport = coalesce(transport, ?) WHERE id = ? RETURNING transport`,
  snapshotRecipients: `INSERT INTO deliveries (campaign_id, subscriber_id, email, name, state, claimable_at)
      SELECT @campaignId, s.id, s.email, s.name, 'queued', 0
      FROM subscribers s
      WHERE s.status = 'active'
        AND (s.topics = '[]'
             OR EXISTS (SELECT 1 FROM json_each(s.topics) st JOIN json_each(@topics) ct ON st.value = ct.value))`,
  setRecipients: `UPDATE campaigns SET recipients = ? WHERE id = ?`,
  getCampaignBySlug: `SELECT * FROM campaigns WHERE slug = ?`,
  getCampaignById: `SELECT * FROM campaigns WHERE id = ?`,
  listCampaigns: `SELECT * FROM campaigns ORDER BY created_at DESC, id DESC`,
  campaignCounts: `SELECT state, count(*) AS n, sum(bounced) AS bounced FROM deliveries WHERE campaign_id = ? GROUP BY state`,
  ledgerCounts: `SELECT state, count(*) AS n, sum(bounced) AS bounced FROM deliveries GROUP BY state`,
  campaignTotals: `SELECT count(*) AS total, count(finished_at) AS finished FROM campaigns`,
  workerStats: `SELECT worker_id, sum(state = 'sent') AS sent, sum(state = 'sending') AS sending
      FROM deliveries WHERE campaign_id = ? AND worker_id IS NOT NULL GROUP BY worker_id ORDER BY worker_id`,
  markStarted: `UPDATE campaigns SET started_at = ? WHERE id = ? AND started_at IS NULL`,
  // EXISTS stops at the first unfinished row instead of counting a million of them.
  unfinished: `SELECT EXISTS (SELECT 1 FROM deliveries WHERE campaign_id = ? AND claimable_at IS NOT NULL) AS busy`,
  pendingCampaigns: `SELECT c.slug FROM campaigns c
      WHERE c.finished_at IS NULL
        AND EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.claimable_at <= ?)
      ORDER BY c.id`,
  markFinished: `UPDATE campaigns SET finished_at = coalesce(finished_at, ?) WHERE id = ?`,

  // Ledger
  claimBatch: `UPDATE deliveries
      SET state = 'sending', worker_id = @workerId, lease_until = @leaseUntil, claimable_at = @leaseUntil,
          attempts = attempts + 1
      WHERE rowid IN (SELECT rowid FROM deliveries
                      WHERE campaign_id = @campaignId AND claimable_at <= @now
                      ORDER BY claimable_at LIMIT @limit)
      RETURNING *`,
  markSent: `UPDATE deliveries SET state = 'sent', claimable_at = NULL, lease_until = NULL, next_attempt_at = NULL,
        smtp_code = @smtpCode, smtp_response = @smtpResponse, temporary = 0
      WHERE campaign_id = @campaignId AND subscriber_id = @subscriberId`,
  markRetry: `UPDATE deliveries SET state = 'retry', claimable_at = @nextAttemptAt, next_attempt_at = @nextAttemptAt,
        lease_until = NULL, smtp_code = @smtpCode, smtp_response = @smtpResponse, temporary = 1
      WHERE campaign_id = @campaignId AND subscriber_id = @subscriberId AND state <> 'sent'`,
  markFailed: `UPDATE deliveries SET state = 'failed', claimable_at = NULL, lease_until = NULL, next_attempt_at = NULL,
        smtp_code = @smtpCode, smtp_response = @smtpResponse, bounced = @bounced, temporary = @temporary
      WHERE campaign_id = @campaignId AND subscriber_id = @subscriberId AND state <> 'sent'`,
  markUnknown: `UPDATE deliveries SET state = 'unknown', claimable_at = NULL, lease_until = NULL, next_attempt_at = NULL,
        smtp_code = @smtpCode, smtp_response = @smtpResponse, temporary = 0
      WHERE campaign_id = @campaignId AND subscriber_id = @subscriberId AND state <> 'sent'`,
  nextRetryAt: `SELECT min(claimable_at) AS at FROM deliveries
      WHERE campaign_id = ? AND claimable_at IS NOT NULL AND state = 'retry'`,
  // Statuses of the given ids that still exist (see departuresFrom).
  subscriberStatuses: `SELECT s.id, s.status FROM json_each(?) j JOIN subscribers s ON s.id = j.value`,
  bounceSubscriber: `UPDATE subscribers SET status = 'bounced' WHERE id = ?`,
  releaseClaims: `UPDATE deliveries SET state = 'queued', claimable_at = 0, lease_until = NULL, worker_id = NULL,
        attempts = max(attempts - 1, 0)
      WHERE campaign_id = ? AND worker_id = ? AND state = 'sending'`,
  requeueTemporaryFailures: `UPDATE deliveries SET state = 'queued', claimable_at = 0, next_attempt_at = NULL,
        lease_until = NULL, worker_id = NULL, attempts = 0, temporary = 0
      WHERE campaign_id = ? AND state = 'failed' AND temporary = 1
        AND subscriber_id IN (SELECT id FROM subscribers WHERE status = 'active')`,
  requeueUnknownOutcomes: `UPDATE deliveries SET state = 'queued', claimable_at = 0, next_attempt_at = NULL,
        lease_until = NULL, worker_id = NULL, attempts = 0
      WHERE campaign_id = ? AND state = 'unknown'
        AND subscriber_id IN (SELECT id FROM subscribers WHERE status = 'active')`,
  reopenCampaign: `UPDATE campaigns SET finished_at = NULL WHERE id = ?`,

  // Campaign-wide rate limit: one upsert reads, refills, takes and writes the bucket atomically (SQLite
  // serialises writers). `granted` is stored so RETURNING can report it; CAST(... AS INTEGER) is
  // floor() for these non-negative values.
  takeSendPermits: `INSERT INTO campaign_rate AS r (campaign_id, tokens, updated_at, granted)
      VALUES (@campaignId, @burst - min(@want, CAST(@burst AS INTEGER)), @now, min(@want, CAST(@burst AS INTEGER)))
      ON CONFLICT (campaign_id) DO UPDATE SET
        granted = min(@want, CAST(min(@burst, r.tokens + max(0, @now - r.updated_at) * @rate / 1000.0) AS INTEGER)),
        tokens = min(@burst, r.tokens + max(0, @now - r.updated_at) * @rate / 1000.0)
          - min(@want, CAST(min(@burst, r.tokens + max(0, @now - r.updated_at) * @rate / 1000.0) AS INTEGER)),
        updated_at = max(r.updated_at, @now)
      RETURNING granted, tokens`,

  // Erasure and the per-person export. Candidate ledger rows of an address (by subscriber id, or by
  // address for rows left by an earlier plain removal; SQLite folds ASCII case only), narrowed to
  // the store's exact matching key in JavaScript (src/storage/erasure.ts). A full scan: erasure is rare.
  ledgerRowsOf: `SELECT d.*, c.slug AS campaign, c.title AS campaign_title FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
      WHERE d.subscriber_id = @id OR (d.email <> '' AND lower(d.email) IN (lower(@email), lower(@stored)))
      ORDER BY d.campaign_id`,
  // Rows not yet sent end failed with @reason; the others keep their outcome, minus the address.
  eraseDelivery: `UPDATE deliveries SET email = '', name = NULL,
        smtp_response = CASE WHEN state IN ('queued', 'retry', 'sending') THEN @reason ELSE @smtpResponse END,
        smtp_code = CASE WHEN state IN ('queued', 'retry', 'sending') THEN NULL ELSE smtp_code END,
        temporary = CASE WHEN state IN ('queued', 'retry', 'sending') THEN 0 ELSE temporary END,
        claimable_at = NULL, lease_until = NULL, next_attempt_at = NULL,
        state = CASE WHEN state IN ('queued', 'retry', 'sending') THEN 'failed' ELSE state END
      WHERE campaign_id = @campaignId AND subscriber_id = @subscriberId`,
  deleteSubscriber: `DELETE FROM subscribers WHERE id = ?`,
  systemMailOf: `SELECT * FROM system_mail WHERE subscriber_id = ? ORDER BY id`,

  // System mail queue (confirm/welcome), claimed like the ledger.
  enqueueSystemMail: `INSERT INTO system_mail (kind, subscriber_id, state, created_at, claimable_at)
      VALUES (?, ?, 'queued', ?, 0) RETURNING *`,
  claimSystemMail: `UPDATE system_mail
      SET state = 'sending', worker_id = @workerId, lease_until = @leaseUntil, claimable_at = @leaseUntil,
          attempts = attempts + 1
      WHERE id IN (SELECT id FROM system_mail WHERE claimable_at <= @now ORDER BY claimable_at, id LIMIT @limit)
      RETURNING *`,
  markSystemMailSent: `UPDATE system_mail SET state = 'sent', claimable_at = NULL, lease_until = NULL, next_attempt_at = NULL,
        smtp_code = @smtpCode, smtp_response = @smtpResponse
      WHERE id = @id AND state <> 'sent'`,
  markSystemMailRetry: `UPDATE system_mail SET state = 'retry', claimable_at = @nextAttemptAt, next_attempt_at = @nextAttemptAt,
        lease_until = NULL, smtp_code = @smtpCode, smtp_response = @smtpResponse
      WHERE id = @id AND state <> 'sent'`,
  markSystemMailFailed: `UPDATE system_mail SET state = 'failed', claimable_at = NULL, lease_until = NULL, next_attempt_at = NULL,
        smtp_code = @smtpCode, smtp_response = @smtpResponse
      WHERE id = @id AND state <> 'sent'`,
  nextSystemMailAt: `SELECT min(claimable_at) AS at FROM system_mail WHERE claimable_at IS NOT NULL`,

  // Settings
  getSetting: `SELECT value FROM settings WHERE key = ?`,
  initSetting: `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
  setSetting: `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
} as const;

/** Migration 5's re-keying (src/storage/rekey.ts). */
export const REKEY_SQL = {
  subscriberKeys: `SELECT id, email, email_key, status FROM subscribers ORDER BY id`,
  archiveMerged: `INSERT INTO merged_subscribers (id, email, name, status, topics, created_at, source, kept_id, merged_at)
      SELECT id, email, name, status, topics, created_at, source, ?, ? FROM subscribers WHERE id = ?`,
  deleteSubscriber: `DELETE FROM subscribers WHERE id = ?`,
  setKey: `UPDATE subscribers SET email_key = ? WHERE id = ?`,
  suppress: `UPDATE subscribers SET status = @status,
        unsubscribed_at = CASE WHEN @status = 'unsubscribed' THEN coalesce(unsubscribed_at, @now) ELSE unsubscribed_at END
      WHERE id = @id`,
} as const;
