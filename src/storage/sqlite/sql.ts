// The SQLite schema (migrations) and the few statements only SQLite spells this way.
//
// Ledger design: besides `state`, each row carries `claimable_at` (epoch ms), the moment the row may
// next be claimed: 0 when queued, next_attempt_at when retrying, lease_until while sending, NULL once
// sent or failed. claimBatch is then one range scan of the partial index (campaign_id, claimable_at)
// whatever the list size: queued rows, due retries and expired leases are all `claimable_at <= now`.
// Its EXISTS on the campaign row (nothing is claimed from a paused or cancelled campaign) names no
// ledger column, so SQLite evaluates it once, not per row.

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
    // new rows start above it (SQLITE_FRAGMENTS.newSubscriberId). Ids already in the ledger count as handed out.
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
  {
    version: 7,
    name: 'rendered issue emails, shared by every pass and worker',
    // One row per render key (src/email/render-cache.ts): the parts as JSON with their
    // SHA-256, or, while one worker renders them, only its claim (worker id, until when) that others
    // wait on until it lapses.
    sql: `
      CREATE TABLE render_cache (
        key           TEXT PRIMARY KEY,
        parts         TEXT,
        digest        TEXT,
        claimed_until INTEGER,
        claimed_by    TEXT,
        saved_at      INTEGER
      );
    `,
  },
  {
    version: 8,
    name: 'bounces and complaints read back; suppression list; paused and cancelled campaigns',
    // feedback_events: every DSN, ARF report or webhook event recorded, unique by (source, event_id)
    // so a replay changes nothing; no address column (erasure has nothing to find here but the
    // diagnostic, which it scrubs). suppressions: a hash of the canonical address of whoever bounced,
    // complained or unsubscribed, kept after the subscriber row is removed (src/storage/core/suppressions.ts).
    // The ledger gains what feedback says about a sent row, and the `cancelled` state (rebuilt as in
    // migration 3: SQLite cannot change a CHECK constraint in place).
    sql: `
      ALTER TABLE campaigns ADD COLUMN paused_at TEXT;
      ALTER TABLE campaigns ADD COLUMN pause_reason TEXT;
      ALTER TABLE campaigns ADD COLUMN cancelled_at TEXT;

      CREATE TABLE deliveries_v8 (
        campaign_id         INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
        subscriber_id       INTEGER NOT NULL,
        email               TEXT NOT NULL,
        name                TEXT,
        state               TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sending','sent','retry','failed','unknown','cancelled')),
        attempts            INTEGER NOT NULL DEFAULT 0,
        next_attempt_at     INTEGER,
        claimable_at        INTEGER,
        smtp_code           INTEGER,
        smtp_response       TEXT,
        worker_id           TEXT,
        lease_until         INTEGER,
        bounced             INTEGER NOT NULL DEFAULT 0,
        temporary           INTEGER NOT NULL DEFAULT 0,
        complained          INTEGER NOT NULL DEFAULT 0,
        soft_bounces        INTEGER NOT NULL DEFAULT 0,
        feedback_status     TEXT,
        feedback_diagnostic TEXT,
        PRIMARY KEY (campaign_id, subscriber_id)
      );
      INSERT INTO deliveries_v8 (campaign_id, subscriber_id, email, name, state, attempts, next_attempt_at, claimable_at,
                                 smtp_code, smtp_response, worker_id, lease_until, bounced, temporary)
        SELECT campaign_id, subscriber_id, email, name, state, attempts, next_attempt_at, claimable_at,
               smtp_code, smtp_response, worker_id, lease_until, bounced, temporary
        FROM deliveries;
      DROP TABLE deliveries;
      ALTER TABLE deliveries_v8 RENAME TO deliveries;
      CREATE INDEX deliveries_claimable ON deliveries (campaign_id, claimable_at) WHERE claimable_at IS NOT NULL;
      CREATE INDEX deliveries_subscriber ON deliveries (subscriber_id) WHERE claimable_at IS NOT NULL;
      CREATE INDEX deliveries_sent_to ON deliveries (subscriber_id, campaign_id) WHERE state = 'sent';

      CREATE TABLE feedback_events (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        source        TEXT NOT NULL,
        event_id      TEXT NOT NULL,
        kind          TEXT NOT NULL CHECK (kind IN ('hard-bounce','soft-bounce','complaint')),
        campaign_id   INTEGER REFERENCES campaigns (id) ON DELETE CASCADE,
        subscriber_id INTEGER NOT NULL,
        status        TEXT,
        diagnostic    TEXT,
        occurred_at   TEXT NOT NULL,
        recorded_at   TEXT NOT NULL,
        UNIQUE (source, event_id)
      );
      CREATE INDEX feedback_events_subscriber ON feedback_events (subscriber_id, kind, occurred_at);
      CREATE INDEX feedback_events_campaign ON feedback_events (campaign_id, kind);

      CREATE TABLE suppressions (
        address_hash TEXT PRIMARY KEY,
        reason       TEXT NOT NULL CHECK (reason IN ('unsubscribed','bounced','complained')),
        created_at   TEXT NOT NULL
      );
    `,
  },
  {
    version: 9,
    name: "a campaign's issue date",
    // The date (RFC 3339, the author's offset) as it was when the campaign was created: a
    // published issue with a new slug but the date and title of a campaign is that file
    // renamed, and the worker does not mail it again (src/domain/renamed.ts). Null for older campaigns.
    sql: `
      ALTER TABLE campaigns ADD COLUMN issue_date TEXT;
    `,
  },
  {
    version: 10,
    name: "the console's operators, sessions and API tokens",
    // Operators sign in to /admin; unique by canonical address (email_key), like subscribers. The
    // password hash carries its own salt and scrypt parameters (src/accounts/password.ts). A session
    // is stored by the SHA-256 of its id and an API token by the SHA-256 of the token, so the file
    // opens neither. Times that are compared (lock, session expiry and idleness) are epoch ms.
    sql: `
      CREATE TABLE operators (
        id            INTEGER PRIMARY KEY,
        email         TEXT NOT NULL,
        email_key     TEXT NOT NULL UNIQUE,
        role          TEXT NOT NULL CHECK (role IN ('owner','editor','viewer')),
        password_hash TEXT NOT NULL,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until  INTEGER,
        created_at    TEXT NOT NULL
      );

      CREATE TABLE sessions (
        id_hash      TEXT PRIMARY KEY,
        operator_id  INTEGER NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
        csrf_secret  TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL
      );
      CREATE INDEX sessions_operator ON sessions (operator_id);

      CREATE TABLE api_tokens (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE,
        token_hash   TEXT NOT NULL UNIQUE,
        role         TEXT NOT NULL CHECK (role IN ('owner','editor','viewer')),
        created_at   TEXT NOT NULL,
        last_used_at TEXT
      );
    `,
  },
  {
    version: 11,
    name: 'the outbound event webhook queue',
    // webhook_events: the events (campaign.started, subscriber.confirmed, ...) written in the same
    // transaction as the change they report, so none is lost and none is told of a change that was
    // rolled back; delivered to the configured endpoint from here with retries (src/webhooks/outbound/).
    // msg_id is the Standard Webhooks message id a receiver dedupes on. subscriber_id lets erasure
    // delete the events that carry an address.
    sql: `
      CREATE TABLE webhook_events (
        id              INTEGER PRIMARY KEY,
        msg_id          TEXT NOT NULL UNIQUE,
        type            TEXT NOT NULL,
        payload         TEXT NOT NULL,
        subscriber_id   INTEGER,
        created_at      TEXT NOT NULL,
        state           TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sending','delivered','retry','failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        claimable_at    INTEGER,
        lease_until     INTEGER,
        worker_id       TEXT,
        last_status     INTEGER,
        last_error      TEXT,
        delivered_at    TEXT
      );
      CREATE INDEX webhook_events_claimable ON webhook_events (claimable_at) WHERE claimable_at IS NOT NULL;
      CREATE INDEX webhook_events_subscriber ON webhook_events (subscriber_id) WHERE subscriber_id IS NOT NULL;
    `,
  },
  {
    version: 12,
    name: 'subscriber search: address and name prefixes',
    // The console's search (src/storage/core/subscriber-search.ts) is a case-insensitive prefix of
    // the address or the name, a range over these indexes (email_key's UNIQUE index serves the
    // address). lower() is ASCII-only in SQLite: a name is found case-insensitively in ASCII.
    sql: `
      CREATE INDEX subscribers_name_prefix ON subscribers (lower(name));
    `,
  },
  {
    version: 13,
    name: 'heartbeats of running processes',
    // One row per running service process (start, serve, worker), written every few seconds
    // (src/server/heartbeat.ts) and removed when it stops cleanly, so the console can tell live
    // workers from silent ones. Times are epoch ms.
    sql: `
      CREATE TABLE worker_heartbeats (
        worker_id  TEXT PRIMARY KEY,
        mode       TEXT NOT NULL,
        host       TEXT NOT NULL,
        pid        INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        seen_at    INTEGER NOT NULL
      );
    `,
  },
];

// secure_delete: freed bytes (a deleted subscriber, the old copy of an updated ledger row) are
// overwritten with zeros, so an erased address does not linger in the file's free space.
export const PRAGMAS = ['secure_delete = ON', 'journal_mode = WAL', 'busy_timeout = 10000', 'synchronous = NORMAL', 'foreign_keys = ON'];

/** After an erasure: copy the WAL (which still holds the old pages) into the file and empty it. */
export const TRUNCATE_WAL = 'wal_checkpoint(TRUNCATE)';

// The statements only SQLite spells this way; everything else is shared (src/storage/core/).
export const SQL = {
  createMigrationsTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`,
  currentVersion: `SELECT coalesce(max(version), 0) AS version FROM schema_migrations`,
  recordMigration: `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,

  // Claims: one UPDATE ... RETURNING inside BEGIN IMMEDIATE (writers are serialised, so two
  // processes never get the same row), through the partial index (campaign_id, claimable_at).
  claimBatch: `UPDATE deliveries
      SET state = 'sending', worker_id = @workerId, lease_until = @leaseUntil, claimable_at = @leaseUntil,
          attempts = attempts + 1
      WHERE rowid IN (SELECT rowid FROM deliveries
                      WHERE campaign_id = @campaignId AND claimable_at <= @now
                        AND EXISTS (SELECT 1 FROM campaigns WHERE id = @campaignId AND paused_at IS NULL AND cancelled_at IS NULL)
                      ORDER BY claimable_at LIMIT @limit)
      RETURNING *`,
  claimWebhookEvents: `UPDATE webhook_events
      SET state = 'sending', worker_id = @workerId, lease_until = @leaseUntil, claimable_at = @leaseUntil,
          attempts = attempts + 1
      WHERE id IN (SELECT id FROM webhook_events WHERE claimable_at <= @now ORDER BY claimable_at, id LIMIT @limit)
      RETURNING id, msg_id, type, payload, created_at, attempts`,

  claimSystemMail: `UPDATE system_mail
      SET state = 'sending', worker_id = @workerId, lease_until = @leaseUntil, claimable_at = @leaseUntil,
          attempts = attempts + 1
      WHERE id IN (SELECT id FROM system_mail WHERE claimable_at <= @now ORDER BY claimable_at, id LIMIT @limit)
      RETURNING *`,

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
} as const;

// A process that sends campaigns keeps SQLite's own default page cache (2 MB) instead of
// better-sqlite3's 16 MB: its hot queries (claims, marks, the departure check) touch a few pages
// of an index range, and its full scans of a large ledger (stats, giving claims back) would only
// fill a bigger cache for good (+16 MB of RSS at 1,000,000 rows; BENCHMARKS.md, send). Bulk
// imports keep the large cache: their random index inserts are what it is for.
export const SENDER_CACHE_PRAGMA = 'cache_size = -2000';
