// The SQLite adapter: one file, WAL, better-sqlite3. The Store interface is async so the PostgreSQL
// adapter can share it, but everything here runs synchronously: each method is one short
// transaction, and a claim is a single UPDATE ... RETURNING, so it is atomic against other
// processes on the same file (SQLite serialises writers; busy_timeout makes them wait, not fail).
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { addressColumns, emailKey, normalizeTopics } from '../email.js';
import { ERASED_REASON, sameAddress, scrubAddresses } from '../erasure.js';
import {
  DuplicateSubscriberError,
  InvalidEmailError,
  StoreError,
  type Campaign,
  type CampaignStats,
  type Delivery,
  type DeliveryOutcome,
  type LedgerTotals,
  type NewSubscriber,
  type SendPermits,
  type Store,
  type Subscriber,
  type SubscriberQuery,
  type SubscriberExport,
  type SubscriberStatus,
  type SystemMail,
  type SystemMailKind,
} from '../store.js';
import { toSystemMail, type SystemMailRow } from '../system-mail-rows.js';
import { campaignStatsFrom, departuresFrom, ledgerTotalsFrom, toDelivery, type DeliveryRow, type StateCount } from '../ledger-rows.js';
import { permitsFrom } from '../permits.js';
import { MIGRATIONS, PRAGMAS, REKEY_SQL, SQL, TRUNCATE_WAL } from './sql.js';
import { describeRekey, planRekey, type KeyedSubscriber } from '../rekey.js';

interface SubscriberRow {
  id: number;
  email: string;
  name: string | null;
  status: SubscriberStatus;
  topics: string;
  created_at: string;
  confirmed_at: string | null;
  unsubscribed_at: string | null;
  source: string | null;
}

interface CampaignRow {
  id: number;
  slug: string;
  title: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  recipients: number;
  transport: string | null;
}

interface LedgerExportRow extends DeliveryRow {
  campaign: string;
  campaign_title: string;
  bounced: number;
  temporary: number;
}

type SqlKey = keyof typeof SQL;

export class SqliteStore implements Store {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly statements = new Map<SqlKey, Database.Statement>();

  constructor(file: string) {
    this.file = path.resolve(file);
    this.db = openDatabase(this.file);
  }

  async migrate(): Promise<void> {
    this.guard(() => {
      this.db.exec(SQL.createMigrationsTable);
      // IMMEDIATE: two processes starting together serialise here instead of both migrating.
      const apply = this.db.transaction(() => {
        const current = (this.db.prepare(SQL.currentVersion).get() as { version: number }).version;
        const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
        if (current > latest) {
          throw new StoreError(
            `${this.file}: database schema version ${current} is newer than this Pressroom understands (${latest}); upgrade Pressroom`,
          );
        }
        for (const m of MIGRATIONS) {
          if (m.version <= current) continue;
          this.db.exec(m.sql);
          if (m.rekeySubscribers) this.rekeySubscribers();
          this.db.prepare(SQL.recordMigration).run(m.version, m.name, new Date().toISOString());
        }
      });
      apply.immediate();
    });
  }

  /** Migration 5, inside its transaction: canonical keys, duplicates merged (src/storage/rekey.ts). */
  private rekeySubscribers(): void {
    const rows = this.db.prepare(REKEY_SQL.subscriberKeys).iterate() as IterableIterator<KeyedSubscriber>;
    const plan = planRekey(rows);
    const now = new Date().toISOString();
    for (const m of plan.merged) {
      this.db.prepare(REKEY_SQL.archiveMerged).run(m.keptId, now, m.id);
      this.db.prepare(SQL.cancelPendingDeliveries).run('not sent: merged into another subscriber with the same address', m.id);
      this.db.prepare(REKEY_SQL.deleteSubscriber).run(m.id);
    }
    for (const r of plan.rekeyed) this.db.prepare(REKEY_SQL.setKey).run(r.key, r.id);
    for (const s of plan.suppressed) {
      this.db.prepare(REKEY_SQL.suppress).run({ id: s.id, status: s.status, now });
      this.db.prepare(SQL.cancelPendingDeliveries).run(`not sent: subscriber ${s.status} under another spelling`, s.id);
    }
    for (const line of describeRekey(plan)) console.warn(`pressroom: ${this.file}: ${line}`);
  }

  async close(): Promise<void> {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }

  /** The applied schema version (for tests and `status`). */
  schemaVersion(): number {
    return (this.db.prepare(SQL.currentVersion).get() as { version: number }).version;
  }

  // ---- Subscribers -------------------------------------------------------------------------

  async addSubscriber(input: NewSubscriber, now: Date = new Date()): Promise<Subscriber> {
    const params = subscriberParams(input, now);
    return this.guard(() => {
      const row = this.stmt('insertSubscriber').get(params) as SubscriberRow | undefined;
      if (!row) throw new DuplicateSubscriberError(input.email);
      return toSubscriber(row);
    });
  }

  async importSubscribers(rows: NewSubscriber[], now: Date = new Date()): Promise<{ added: number; duplicates: number }> {
    const params = rows.map((r) => subscriberParams(r, now)); // validates every row before writing
    return this.guard(() => {
      const insert = this.stmt('importSubscriber');
      let added = 0;
      this.db.transaction(() => {
        for (const p of params) added += insert.run(p).changes;
      }).immediate();
      return { added, duplicates: rows.length - added };
    });
  }

  async getSubscriber(id: number): Promise<Subscriber | null> {
    return this.guard(() => mapOrNull(this.stmt('getSubscriber').get(id) as SubscriberRow | undefined, toSubscriber));
  }

  async findSubscriberByEmail(email: string): Promise<Subscriber | null> {
    return this.guard(() =>
      mapOrNull(this.stmt('findSubscriberByKey').get(emailKey(email)) as SubscriberRow | undefined, toSubscriber),
    );
  }

  async listSubscribers(query: SubscriberQuery): Promise<Subscriber[]> {
    const after = query.afterId ?? 0;
    return this.guard(() => {
      const rows = (
        query.status
          ? this.stmt('listSubscribersByStatus').all(query.status, after, query.limit)
          : this.stmt('listSubscribers').all(after, query.limit)
      ) as SubscriberRow[];
      return rows.map(toSubscriber);
    });
  }

  async countSubscribers(status?: SubscriberStatus): Promise<number> {
    return this.guard(() => {
      const row = (status ? this.stmt('countSubscribersByStatus').get(status) : this.stmt('countSubscribers').get()) as { n: number };
      return row.n;
    });
  }

  async setSubscriberStatus(id: number, status: SubscriberStatus, now: Date = new Date(), from?: SubscriberStatus): Promise<boolean> {
    return this.guard(() =>
      this.db.transaction(() => {
        const { changes } = this.stmt('setSubscriberStatus').run({ id, status, now: now.toISOString(), from: from ?? null });
        if (changes > 0 && status !== 'active' && status !== 'pending') {
          this.stmt('cancelPendingDeliveries').run(`not sent: subscriber ${status} before sending`, id);
        }
        return changes > 0;
      }).immediate(),
    );
  }

  async setSubscriberTopics(id: number, topics: string[]): Promise<void> {
    this.guard(() => this.stmt('setSubscriberTopics').run(JSON.stringify(normalizeTopics(topics)), id));
  }

  async removeSubscriber(email: string): Promise<boolean> {
    return this.guard(() =>
      this.db.transaction(() => {
        const row = this.stmt('deleteSubscriberByKey').get(emailKey(email)) as { id: number } | undefined;
        if (!row) return false;
        this.stmt('cancelPendingDeliveries').run('not sent: subscriber removed before sending', row.id);
        return true;
      }).immediate(),
    );
  }

  async eraseSubscriber(email: string): Promise<boolean> {
    const erased = this.guard(() =>
      this.db.transaction(() => {
        const subscriber = this.stmt('findSubscriberByKey').get(emailKey(email)) as SubscriberRow | undefined;
        const rows = this.ledgerRowsOf(email, subscriber);
        const addresses = [email, ...(subscriber ? [subscriber.email] : []), ...rows.map((r) => r.email)];
        for (const r of rows) {
          this.stmt('eraseDelivery').run({
            campaignId: r.campaign_id,
            subscriberId: r.subscriber_id,
            smtpResponse: scrubAddresses(r.smtp_response, addresses),
            reason: ERASED_REASON,
          });
        }
        if (subscriber) this.stmt('deleteSubscriber').run(subscriber.id); // its system mail goes with it
        return subscriber !== undefined || rows.length > 0;
      }).immediate(),
    );
    // The old pages still sit in the WAL until a checkpoint; copy them back and empty it now.
    if (erased) this.guard(() => this.db.pragma(TRUNCATE_WAL));
    return erased;
  }

  async exportSubscriber(email: string): Promise<SubscriberExport | null> {
    return this.guard(() =>
      this.db.transaction(() => {
        const subscriber = this.stmt('findSubscriberByKey').get(emailKey(email)) as SubscriberRow | undefined;
        const rows = this.ledgerRowsOf(email, subscriber);
        if (!subscriber && rows.length === 0) return null;
        const mail = subscriber ? (this.stmt('systemMailOf').all(subscriber.id) as SystemMailRow[]) : [];
        return {
          subscriber: subscriber ? toSubscriber(subscriber) : null,
          deliveries: rows.map((r) => ({
            ...toDelivery(r),
            campaign: r.campaign,
            campaignTitle: r.campaign_title,
            bounced: r.bounced === 1,
            temporary: r.temporary === 1,
          })),
          systemMail: mail.map(toSystemMail),
        };
      })(),
    );
  }

  /** The ledger rows that carry this address (see SQL.ledgerRowsOf). */
  private ledgerRowsOf(email: string, subscriber: SubscriberRow | undefined): LedgerExportRow[] {
    const candidates = this.stmt('ledgerRowsOf').all({ id: subscriber?.id ?? null, email, stored: subscriber?.email ?? email }) as LedgerExportRow[];
    return candidates.filter((r) => sameAddress(r.email, email));
  }

  // ---- Campaigns -----------------------------------------------------------------------------

  async createCampaign(
    input: { slug: string; title: string; topics: string[]; transport?: string | null },
    now: Date = new Date(),
  ): Promise<{ campaign: Campaign; created: boolean }> {
    const topics = JSON.stringify(normalizeTopics(input.topics));
    return this.guard(() =>
      this.db.transaction(() => {
        const inserted = this.stmt('insertCampaign').get(input.slug, input.title, topics, now.toISOString(), input.transport ?? null) as
          | { id: number }
          | undefined;
        if (inserted) {
          const n = this.stmt('snapshotRecipients').run({ campaignId: inserted.id, topics }).changes;
          this.stmt('setRecipients').run(n, inserted.id);
        }
        const row = this.stmt('getCampaignBySlug').get(input.slug) as CampaignRow;
        return { campaign: toCampaign(row), created: inserted !== undefined };
      }).immediate(),
    );
  }

  async claimCampaignTransport(campaignId: number, transport: string): Promise<string> {
    return this.guard(() => {
      const row = this.stmt('claimCampaignTransport').get(transport, campaignId) as { transport: string } | undefined;
      if (!row) throw new StoreError(`${this.file}: no campaign with id ${campaignId}`);
      return row.transport;
    });
  }

  async getCampaign(slug: string): Promise<Campaign | null> {
    return this.guard(() => mapOrNull(this.stmt('getCampaignBySlug').get(slug) as CampaignRow | undefined, toCampaign));
  }

  async listCampaigns(): Promise<Campaign[]> {
    return this.guard(() => (this.stmt('listCampaigns').all() as CampaignRow[]).map(toCampaign));
  }

  async campaignStats(campaignId: number): Promise<CampaignStats> {
    return this.guard(() => {
      const campaign = this.stmt('getCampaignById').get(campaignId) as CampaignRow | undefined;
      const counts = this.stmt('campaignCounts').all(campaignId) as StateCount[];
      return campaignStatsFrom(counts, campaign?.started_at ?? null, campaign?.finished_at ?? null);
    });
  }

  async ledgerTotals(): Promise<LedgerTotals> {
    return this.guard(() => {
      const counts = this.stmt('ledgerCounts').all() as StateCount[];
      return ledgerTotalsFrom(counts, this.stmt('campaignTotals').get() as { total: number; finished: number });
    });
  }

  async workerStats(campaignId: number): Promise<Array<{ workerId: string; sent: number; sending: number }>> {
    return this.guard(() =>
      (this.stmt('workerStats').all(campaignId) as Array<{ worker_id: string; sent: number; sending: number }>).map((r) => ({
        workerId: r.worker_id,
        sent: r.sent,
        sending: r.sending,
      })),
    );
  }

  // ---- Ledger --------------------------------------------------------------------------------

  async claimBatch(campaignId: number, workerId: string, limit: number, leaseMs: number, now: number = Date.now()): Promise<Delivery[]> {
    return this.guard(() =>
      this.db.transaction(() => {
        const rows = this.stmt('claimBatch').all({ campaignId, workerId, limit, now, leaseUntil: now + leaseMs }) as DeliveryRow[];
        if (rows.length > 0) this.stmt('markStarted').run(new Date(now).toISOString(), campaignId);
        return rows.map(toDelivery);
      }).immediate(),
    );
  }

  async markSent(campaignId: number, subscriberId: number, outcome: DeliveryOutcome): Promise<void> {
    this.guard(() => this.stmt('markSent').run({ campaignId, subscriberId, ...outcome }));
  }

  async markSentMany(campaignId: number, marks: Array<{ subscriberId: number } & DeliveryOutcome>): Promise<void> {
    if (marks.length === 0) return;
    this.guard(() => {
      const markSent = this.stmt('markSent');
      // One commit (one WAL append) for all of them instead of one per row.
      this.db
        .transaction(() => {
          for (const m of marks) {
            markSent.run({ campaignId, subscriberId: m.subscriberId, smtpCode: m.smtpCode, smtpResponse: m.smtpResponse });
          }
        })
        .immediate();
    });
  }

  async markRetry(campaignId: number, subscriberId: number, nextAttemptAt: number, outcome: DeliveryOutcome): Promise<void> {
    this.guard(() => this.stmt('markRetry').run({ campaignId, subscriberId, nextAttemptAt, ...outcome }));
  }

  async markFailed(
    campaignId: number,
    subscriberId: number,
    outcome: DeliveryOutcome & { bounced: boolean; temporary: boolean },
  ): Promise<void> {
    this.guard(() =>
      this.db.transaction(() => {
        const changed = this.stmt('markFailed').run({
          campaignId,
          subscriberId,
          smtpCode: outcome.smtpCode,
          smtpResponse: outcome.smtpResponse,
          bounced: outcome.bounced ? 1 : 0,
          temporary: outcome.temporary ? 1 : 0,
        }).changes;
        if (changed > 0 && outcome.bounced) {
          this.stmt('bounceSubscriber').run(subscriberId);
          this.stmt('cancelPendingDeliveries').run('not sent: subscriber bounced before sending', subscriberId);
        }
      }).immediate(),
    );
  }

  async departedSubscribers(ids: number[]): Promise<Map<number, SubscriberStatus | 'removed'>> {
    if (ids.length === 0) return new Map();
    return this.guard(() => departuresFrom(ids, this.stmt('subscriberStatuses').all(JSON.stringify(ids)) as Array<{ id: number; status: SubscriberStatus }>));
  }

  async markUnknown(campaignId: number, subscriberId: number, outcome: DeliveryOutcome): Promise<void> {
    this.guard(() => this.stmt('markUnknown').run({ campaignId, subscriberId, ...outcome }));
  }

  async releaseClaims(campaignId: number, workerId: string): Promise<number> {
    return this.guard(() => this.stmt('releaseClaims').run(campaignId, workerId).changes);
  }

  async requeueTemporaryFailures(campaignId: number): Promise<number> {
    return this.guard(() =>
      this.db.transaction(() => {
        const n = this.stmt('requeueTemporaryFailures').run(campaignId).changes;
        if (n > 0) this.stmt('reopenCampaign').run(campaignId);
        return n;
      }).immediate(),
    );
  }

  async requeueUnknownOutcomes(campaignId: number): Promise<number> {
    return this.guard(() =>
      this.db.transaction(() => {
        const n = this.stmt('requeueUnknownOutcomes').run(campaignId).changes;
        if (n > 0) this.stmt('reopenCampaign').run(campaignId);
        return n;
      }).immediate(),
    );
  }

  async nextRetryAt(campaignId: number): Promise<number | null> {
    return this.guard(() => (this.stmt('nextRetryAt').get(campaignId) as { at: number | null }).at);
  }

  async pendingCampaigns(now: number = Date.now()): Promise<string[]> {
    return this.guard(() => (this.stmt('pendingCampaigns').all(now) as Array<{ slug: string }>).map((r) => r.slug));
  }

  async finishCampaignIfDone(campaignId: number, now: Date = new Date()): Promise<boolean> {
    return this.guard(() =>
      this.db.transaction(() => {
        const { busy } = this.stmt('unfinished').get(campaignId) as { busy: number };
        if (busy) return false;
        this.stmt('markFinished').run(now.toISOString(), campaignId);
        return true;
      }).immediate(),
    );
  }

  // ---- Campaign-wide rate limit ---------------------------------------------------------------

  async takeSendPermits(campaignId: number, want: number, ratePerSecond: number, burst: number, now?: number): Promise<SendPermits> {
    // One machine shares this file, so its clock is the common one.
    const params = { campaignId, want: Math.max(0, Math.floor(want)), rate: ratePerSecond, burst: Math.max(1, burst), now: now ?? Date.now() };
    return this.guard(() => permitsFrom(this.stmt('takeSendPermits').get(params) as { granted: number; tokens: number }, want, ratePerSecond, burst));
  }

  // ---- System mail queue ----------------------------------------------------------------------

  async enqueueSystemMail(kind: SystemMailKind, subscriberId: number, now: Date = new Date()): Promise<SystemMail> {
    return this.guard(() => toSystemMail(this.stmt('enqueueSystemMail').get(kind, subscriberId, now.toISOString()) as SystemMailRow));
  }

  async claimSystemMail(workerId: string, limit: number, leaseMs: number, now: number = Date.now()): Promise<SystemMail[]> {
    return this.guard(() =>
      (this.stmt('claimSystemMail').all({ workerId, limit, now, leaseUntil: now + leaseMs }) as SystemMailRow[]).map(toSystemMail),
    );
  }

  async markSystemMailSent(id: number, outcome: DeliveryOutcome): Promise<void> {
    this.guard(() => this.stmt('markSystemMailSent').run({ id, ...outcome }));
  }

  async markSystemMailRetry(id: number, nextAttemptAt: number, outcome: DeliveryOutcome): Promise<void> {
    this.guard(() => this.stmt('markSystemMailRetry').run({ id, nextAttemptAt, ...outcome }));
  }

  async markSystemMailFailed(id: number, outcome: DeliveryOutcome): Promise<void> {
    this.guard(() => this.stmt('markSystemMailFailed').run({ id, ...outcome }));
  }

  async nextSystemMailAt(): Promise<number | null> {
    return this.guard(() => (this.stmt('nextSystemMailAt').get() as { at: number | null }).at);
  }

  // ---- Settings ------------------------------------------------------------------------------

  async getSetting(key: string): Promise<string | null> {
    return this.guard(() => (this.stmt('getSetting').get(key) as { value: string } | undefined)?.value ?? null);
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.guard(() => this.stmt('setSetting').run(key, value));
  }

  async initSetting(key: string, value: string): Promise<string> {
    return this.guard(() =>
      this.db.transaction(() => {
        this.stmt('initSetting').run(key, value);
        return (this.stmt('getSetting').get(key) as { value: string }).value;
      }).immediate(),
    );
  }

  // ---- Internals -----------------------------------------------------------------------------

  private stmt(key: SqlKey): Database.Statement {
    let s = this.statements.get(key);
    if (!s) {
      s = this.db.prepare(SQL[key]);
      this.statements.set(key, s);
    }
    return s;
  }

  /** Turns SQLite's low-level failures into one clear line naming the file. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw translateError(this.file, err);
    }
  }
}

function openDatabase(file: string): Database.Database {
  const dir = path.dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new StoreError(`${dir}: cannot create the data directory (${(err as Error).message})`);
  }
  assertWritable(file);
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (err) {
    throw translateError(file, err);
  }
  try {
    for (const p of PRAGMAS) db.pragma(p);
  } catch (err) {
    db.close();
    throw translateError(file, err);
  }
  return db;
}

/**
 * Checks the permission bits as well as access(2): root ignores the bits, but a file an operator
 * made read-only is a mistake to report, not to write through.
 */
function assertWritable(file: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    return; // does not exist yet: created on open
  }
  let writable = (mode & 0o222) !== 0;
  if (writable) {
    try {
      accessSync(file, constants.W_OK);
    } catch {
      writable = false;
    }
  }
  if (!writable) {
    throw new StoreError(`${file}: the database file is read-only (Pressroom must be able to write to it; check its permissions)`);
  }
}

function translateError(file: string, err: unknown): unknown {
  if (err instanceof StoreError || err instanceof DuplicateSubscriberError || err instanceof InvalidEmailError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    const message = (err as Error).message;
    if (code.startsWith('SQLITE_READONLY')) {
      return new StoreError(`${file}: the database is read-only (${message}); check the permissions of the file and its folder`);
    }
    if (code.startsWith('SQLITE_CANTOPEN')) return new StoreError(`${file}: cannot open the database file (${message})`);
    if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
      return new StoreError(`${file}: not a usable SQLite database (${message})`);
    }
    if (code.startsWith('SQLITE_FULL')) return new StoreError(`${file}: the disk is full (${message})`);
    if (code.startsWith('SQLITE_BUSY')) return new StoreError(`${file}: the database stayed locked by another process (${message})`);
  }
  return err;
}

function subscriberParams(input: NewSubscriber, now: Date) {
  const status = input.status ?? 'active';
  const at = now.toISOString();
  return {
    ...addressColumns(input.email),
    name: input.name ?? null,
    status,
    topics: JSON.stringify(normalizeTopics(input.topics)),
    createdAt: at,
    confirmedAt: status === 'active' ? at : null,
    source: input.source ?? null,
  };
}

function mapOrNull<R, T>(row: R | undefined, map: (r: R) => T): T | null {
  return row === undefined ? null : map(row);
}

function toSubscriber(r: SubscriberRow): Subscriber {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    status: r.status,
    topics: JSON.parse(r.topics) as string[],
    createdAt: r.created_at,
    confirmedAt: r.confirmed_at,
    unsubscribedAt: r.unsubscribed_at,
    source: r.source,
  };
}

function toCampaign(r: CampaignRow): Campaign {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    recipients: r.recipients,
    transport: r.transport,
  };
}

