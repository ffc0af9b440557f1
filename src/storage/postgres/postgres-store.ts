// The PostgreSQL adapter (`DATABASE_URL=postgres://...`), for several workers on several machines
// sharing one campaign. Correctness rests on PostgreSQL itself: unique constraints for idempotent
// creation, FOR UPDATE SKIP LOCKED for claims, an advisory lock around migrations.
//
// Schema: `postgres://.../db?schema=NAME` puts every table in schema NAME (created if missing) by
// setting the connection's search_path; without it the server's default search_path is used.
import pg from 'pg';
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
import { MIGRATIONS, REKEY_SQL, SQL } from './sql.js';
import { describeRekey, planRekey, type KeyedSubscriber } from '../rekey.js';

// Big imports go to the server in chunks of this many rows (one statement each, one transaction).
const IMPORT_CHUNK = 5000;

interface SubscriberRow {
  id: number;
  email: string;
  name: string | null;
  status: SubscriberStatus;
  topics: string[];
  created_at: Date;
  confirmed_at: Date | null;
  unsubscribed_at: Date | null;
  source: string | null;
}

interface CampaignRow {
  id: number;
  slug: string;
  title: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  recipients: number;
  transport: string | null;
}

interface LedgerExportRow extends DeliveryRow {
  campaign: string;
  campaign_title: string;
  bounced: boolean;
  temporary: boolean;
}

export interface PostgresOptions {
  /** Pool size per process. */
  max?: number;
}

export class PostgresStore implements Store {
  /** The schema named by `?schema=`, or null for the server default. */
  readonly schema: string | null;
  private readonly pool: pg.Pool;
  private readonly where: string;

  constructor(databaseUrl: string, options: PostgresOptions = {}) {
    const { url, schema, options: startupOptions } = splitSchema(databaseUrl);
    this.schema = schema;
    this.where = describe(url);
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      types: { getTypeParser: parserFor },
      ...(startupOptions ? { options: startupOptions } : {}),
    });
    // An idle client losing its connection must not crash the process; the next query reports it.
    this.pool.on('error', () => {});
  }

  async migrate(): Promise<void> {
    const client = await this.connect();
    const lockKey = `pressroom:migrate:${this.schema ?? ''}`;
    try {
      // Several processes may start at once: one migrates, the others wait here and then find nothing to do.
      await client.query(SQL.lockMigrations, [lockKey]);
      try {
        if (this.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
        await client.query(SQL.createMigrationsTable);
        const current = (await client.query<{ version: number }>(SQL.currentVersion)).rows[0]!.version;
        const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
        if (current > latest) {
          throw new StoreError(
            `${this.where}: database schema version ${current} is newer than this Pressroom understands (${latest}); upgrade Pressroom`,
          );
        }
        for (const m of MIGRATIONS) {
          if (m.version <= current) continue;
          await client.query('BEGIN');
          try {
            await client.query(m.sql);
            if (m.rekeySubscribers) await this.rekeySubscribers(client);
            await client.query(SQL.recordMigration, [m.version, m.name]);
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK');
            throw err;
          }
        }
      } finally {
        await client.query(SQL.unlockMigrations, [lockKey]);
      }
    } catch (err) {
      throw this.translate(err);
    } finally {
      client.release();
    }
  }

  /** Migration 5, inside its transaction: canonical keys, duplicates merged (src/storage/rekey.ts). */
  private async rekeySubscribers(client: pg.PoolClient): Promise<void> {
    const { rows } = await client.query<KeyedSubscriber>(REKEY_SQL.subscriberKeys);
    const plan = planRekey(rows);
    for (const m of plan.merged) {
      await client.query(REKEY_SQL.archiveMerged, [m.keptId, m.id]);
      await client.query(SQL.cancelPendingDeliveries, [m.id, 'not sent: merged into another subscriber with the same address']);
      await client.query(REKEY_SQL.deleteSubscriber, [m.id]);
    }
    for (const r of plan.rekeyed) await client.query(REKEY_SQL.setKey, [r.key, r.id]);
    for (const s of plan.suppressed) {
      await client.query(REKEY_SQL.suppress, [s.id, s.status]);
      await client.query(SQL.cancelPendingDeliveries, [s.id, `not sent: subscriber ${s.status} under another spelling`]);
    }
    for (const line of describeRekey(plan)) console.warn(`pressroom: ${this.where}: ${line}`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** The applied schema version (for tests and `status`). */
  async schemaVersion(): Promise<number> {
    return (await this.query<{ version: number }>(SQL.currentVersion)).rows[0]!.version;
  }

  // ---- Subscribers -------------------------------------------------------------------------

  async addSubscriber(input: NewSubscriber, now: Date = new Date()): Promise<Subscriber> {
    const p = subscriberParams(input);
    const { rows } = await this.query<SubscriberRow>(SQL.insertSubscriber, [
      p.email, p.emailKey, p.name, p.status, p.topics, now, p.status === 'active' ? now : null, p.source,
    ]);
    if (rows.length === 0) throw new DuplicateSubscriberError(input.email);
    return toSubscriber(rows[0]!);
  }

  async importSubscribers(rows: NewSubscriber[], now: Date = new Date()): Promise<{ added: number; duplicates: number }> {
    const params = rows.map((r) => subscriberParams(r)); // validates every row before writing
    let added = 0;
    await this.transaction(async (c) => {
      for (let i = 0; i < params.length; i += IMPORT_CHUNK) {
        const chunk = params.slice(i, i + IMPORT_CHUNK);
        const res = await c.query(SQL.importSubscribers, [
          chunk.map((p) => p.email),
          chunk.map((p) => p.emailKey),
          chunk.map((p) => p.name),
          chunk.map((p) => p.status),
          chunk.map((p) => JSON.stringify(p.topics)),
          chunk.map((p) => p.source),
          now,
        ]);
        added += res.rowCount ?? 0;
      }
    });
    return { added, duplicates: rows.length - added };
  }

  async getSubscriber(id: number): Promise<Subscriber | null> {
    const { rows } = await this.query<SubscriberRow>(SQL.getSubscriber, [id]);
    return rows[0] ? toSubscriber(rows[0]) : null;
  }

  async findSubscriberByEmail(email: string): Promise<Subscriber | null> {
    const { rows } = await this.query<SubscriberRow>(SQL.findSubscriberByKey, [emailKey(email)]);
    return rows[0] ? toSubscriber(rows[0]) : null;
  }

  async listSubscribers(query: SubscriberQuery): Promise<Subscriber[]> {
    const args: unknown[] = [query.afterId ?? 0, query.limit];
    const { rows } = query.status
      ? await this.query<SubscriberRow>(SQL.listSubscribersByStatus, [...args, query.status])
      : await this.query<SubscriberRow>(SQL.listSubscribers, args);
    return rows.map(toSubscriber);
  }

  async countSubscribers(status?: SubscriberStatus): Promise<number> {
    const { rows } = status
      ? await this.query<{ n: number }>(SQL.countSubscribersByStatus, [status])
      : await this.query<{ n: number }>(SQL.countSubscribers);
    return rows[0]!.n;
  }

  async setSubscriberStatus(id: number, status: SubscriberStatus, now: Date = new Date(), from?: SubscriberStatus): Promise<boolean> {
    return this.transaction(async (c) => {
      const { rowCount } = await c.query(SQL.setSubscriberStatus, [id, status, now, from ?? null]);
      const changed = (rowCount ?? 0) > 0;
      if (changed && status !== 'active' && status !== 'pending') {
        await c.query(SQL.cancelPendingDeliveries, [id, `not sent: subscriber ${status} before sending`]);
      }
      return changed;
    });
  }

  async setSubscriberTopics(id: number, topics: string[]): Promise<void> {
    await this.query(SQL.setSubscriberTopics, [id, normalizeTopics(topics)]);
  }

  async removeSubscriber(email: string): Promise<boolean> {
    return this.transaction(async (c) => {
      const { rows } = await c.query<{ id: number }>(SQL.deleteSubscriberByKey, [emailKey(email)]);
      if (rows.length === 0) return false;
      await c.query(SQL.cancelPendingDeliveries, [rows[0]!.id, 'not sent: subscriber removed before sending']);
      return true;
    });
  }

  async eraseSubscriber(email: string): Promise<boolean> {
    return this.transaction(async (c) => {
      const subscriber = (await c.query<SubscriberRow>(SQL.lockSubscriberByKey, [emailKey(email)])).rows[0];
      const candidates = await c.query<{ campaign_id: number; subscriber_id: number; email: string; smtp_response: string | null }>(
        SQL.lockLedgerRowsOf,
        [subscriber?.id ?? null, email, subscriber?.email ?? email],
      );
      const rows = candidates.rows.filter((r) => sameAddress(r.email, email));
      const addresses = [email, ...(subscriber ? [subscriber.email] : []), ...rows.map((r) => r.email)];
      for (const r of rows) {
        await c.query(SQL.eraseDelivery, [r.campaign_id, r.subscriber_id, scrubAddresses(r.smtp_response, addresses), ERASED_REASON]);
      }
      if (subscriber) await c.query(SQL.deleteSubscriber, [subscriber.id]); // its system mail goes with it
      return subscriber !== undefined || rows.length > 0;
    });
  }

  async exportSubscriber(email: string): Promise<SubscriberExport | null> {
    return this.transaction(async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY'); // one consistent snapshot
      const subscriber = (await c.query<SubscriberRow>(SQL.findSubscriberByKey, [emailKey(email)])).rows[0];
      const candidates = await c.query<LedgerExportRow>(SQL.ledgerRowsOf, [subscriber?.id ?? null, email, subscriber?.email ?? email]);
      const rows = candidates.rows.filter((r) => sameAddress(r.email, email));
      if (!subscriber && rows.length === 0) return null;
      const mail = subscriber ? (await c.query<SystemMailRow>(SQL.systemMailOf, [subscriber.id])).rows : [];
      return {
        subscriber: subscriber ? toSubscriber(subscriber) : null,
        deliveries: rows.map((r) => ({ ...toDelivery(r), campaign: r.campaign, campaignTitle: r.campaign_title, bounced: r.bounced, temporary: r.temporary })),
        systemMail: mail.map(toSystemMail),
      };
    });
  }

  // ---- Campaigns -----------------------------------------------------------------------------

  async createCampaign(
    input: { slug: string; title: string; topics: string[]; transport?: string | null },
    now: Date = new Date(),
  ): Promise<{ campaign: Campaign; created: boolean }> {
    const topics = normalizeTopics(input.topics);
    // A concurrent creator blocks on the unique index until the winner commits, then inserts nothing.
    const created = await this.transaction(async (c) => {
      const { rows } = await c.query<{ id: number }>(SQL.insertCampaign, [input.slug, input.title, topics, now, input.transport ?? null]);
      if (rows.length === 0) return false;
      const id = rows[0]!.id;
      const snap = await c.query(SQL.snapshotRecipients, [id, topics]);
      await c.query(SQL.setRecipients, [id, snap.rowCount ?? 0]);
      return true;
    });
    const campaign = await this.getCampaign(input.slug);
    if (!campaign) throw new StoreError(`${this.where}: campaign ${input.slug} vanished right after creation`);
    return { campaign, created };
  }

  async claimCampaignTransport(campaignId: number, transport: string): Promise<string> {
    const { rows } = await this.query<{ transport: string }>(SQL.claimCampaignTransport, [campaignId, transport]);
    if (!rows[0]) throw new StoreError(`${this.where}: no campaign with id ${campaignId}`);
    return rows[0].transport;
  }

  async getCampaign(slug: string): Promise<Campaign | null> {
    const { rows } = await this.query<CampaignRow>(SQL.getCampaignBySlug, [slug]);
    return rows[0] ? toCampaign(rows[0]) : null;
  }

  async listCampaigns(): Promise<Campaign[]> {
    return (await this.query<CampaignRow>(SQL.listCampaigns)).rows.map(toCampaign);
  }

  async campaignStats(campaignId: number): Promise<CampaignStats> {
    const [campaign, counts] = await Promise.all([
      this.query<CampaignRow>(SQL.getCampaignById, [campaignId]),
      this.query<StateCount>(SQL.campaignCounts, [campaignId]),
    ]);
    const c = campaign.rows[0];
    return campaignStatsFrom(counts.rows, iso(c?.started_at ?? null), iso(c?.finished_at ?? null));
  }

  async ledgerTotals(): Promise<LedgerTotals> {
    const [counts, campaigns] = await Promise.all([
      this.query<StateCount>(SQL.ledgerCounts),
      this.query<{ total: number; finished: number }>(SQL.campaignTotals),
    ]);
    return ledgerTotalsFrom(counts.rows, campaigns.rows[0] ?? { total: 0, finished: 0 });
  }

  async workerStats(campaignId: number): Promise<Array<{ workerId: string; sent: number; sending: number }>> {
    const { rows } = await this.query<{ worker_id: string; sent: number; sending: number }>(SQL.workerStats, [campaignId]);
    return rows.map((r) => ({ workerId: r.worker_id, sent: r.sent, sending: r.sending }));
  }

  // ---- Ledger --------------------------------------------------------------------------------

  async claimBatch(campaignId: number, workerId: string, limit: number, leaseMs: number, now: number = Date.now()): Promise<Delivery[]> {
    // One statement = one transaction: the rows are locked, skipped by other claimers, updated, returned.
    const { rows } = await this.query<DeliveryRow>(SQL.claimBatch, [campaignId, now, workerId, now + leaseMs, limit]);
    if (rows.length > 0) await this.query(SQL.markStarted, [campaignId, new Date(now)]);
    return rows.map(toDelivery);
  }

  async markSent(campaignId: number, subscriberId: number, outcome: DeliveryOutcome): Promise<void> {
    await this.query(SQL.markSent, [campaignId, subscriberId, outcome.smtpCode, outcome.smtpResponse]);
  }

  async markSentMany(campaignId: number, marks: Array<{ subscriberId: number } & DeliveryOutcome>): Promise<void> {
    if (marks.length === 0) return;
    // One statement (its own transaction): arrays in, unnest out.
    await this.query(SQL.markSentMany, [
      campaignId,
      marks.map((m) => m.subscriberId),
      marks.map((m) => m.smtpCode),
      marks.map((m) => m.smtpResponse),
    ]);
  }

  async markRetry(campaignId: number, subscriberId: number, nextAttemptAt: number, outcome: DeliveryOutcome): Promise<void> {
    await this.query(SQL.markRetry, [campaignId, subscriberId, nextAttemptAt, outcome.smtpCode, outcome.smtpResponse]);
  }

  async markFailed(
    campaignId: number,
    subscriberId: number,
    outcome: DeliveryOutcome & { bounced: boolean; temporary: boolean },
  ): Promise<void> {
    await this.transaction(async (c) => {
      const res = await c.query(SQL.markFailed, [
        campaignId, subscriberId, outcome.smtpCode, outcome.smtpResponse, outcome.bounced, outcome.temporary,
      ]);
      if ((res.rowCount ?? 0) > 0 && outcome.bounced) {
        await c.query(SQL.bounceSubscriber, [subscriberId]);
        await c.query(SQL.cancelPendingDeliveries, [subscriberId, 'not sent: subscriber bounced before sending']);
      }
    });
  }

  async departedSubscribers(ids: number[]): Promise<Map<number, SubscriberStatus | 'removed'>> {
    if (ids.length === 0) return new Map();
    return departuresFrom(ids, (await this.query<{ id: number; status: SubscriberStatus }>(SQL.subscriberStatuses, [ids])).rows);
  }

  async markUnknown(campaignId: number, subscriberId: number, outcome: DeliveryOutcome): Promise<void> {
    await this.query(SQL.markUnknown, [campaignId, subscriberId, outcome.smtpCode, outcome.smtpResponse]);
  }

  async releaseClaims(campaignId: number, workerId: string): Promise<number> {
    return (await this.query(SQL.releaseClaims, [campaignId, workerId])).rowCount ?? 0;
  }

  async requeueTemporaryFailures(campaignId: number): Promise<number> {
    return this.transaction(async (c) => {
      const n = (await c.query(SQL.requeueTemporaryFailures, [campaignId])).rowCount ?? 0;
      if (n > 0) await c.query(SQL.reopenCampaign, [campaignId]);
      return n;
    });
  }

  async requeueUnknownOutcomes(campaignId: number): Promise<number> {
    return this.transaction(async (c) => {
      const n = (await c.query(SQL.requeueUnknownOutcomes, [campaignId])).rowCount ?? 0;
      if (n > 0) await c.query(SQL.reopenCampaign, [campaignId]);
      return n;
    });
  }

  async nextRetryAt(campaignId: number): Promise<number | null> {
    const { rows } = await this.query<{ at: number | null }>(SQL.nextRetryAt, [campaignId]);
    return rows[0]?.at ?? null;
  }

  async pendingCampaigns(now: number = Date.now()): Promise<string[]> {
    return (await this.query<{ slug: string }>(SQL.pendingCampaigns, [now])).rows.map((r) => r.slug);
  }

  async finishCampaignIfDone(campaignId: number, now: Date = new Date()): Promise<boolean> {
    const { rows } = await this.query<{ busy: boolean }>(SQL.unfinished, [campaignId]);
    if (rows[0]!.busy) return false;
    await this.query(SQL.markFinished, [campaignId, now]);
    return true;
  }

  // ---- Campaign-wide rate limit ---------------------------------------------------------------

  async takeSendPermits(campaignId: number, want: number, ratePerSecond: number, burst: number, now?: number): Promise<SendPermits> {
    const { rows } = await this.query<{ granted: number; tokens: number }>(SQL.takeSendPermits, [
      campaignId, Math.max(0, Math.floor(want)), ratePerSecond, Math.max(1, burst), now ?? null,
    ]);
    return permitsFrom(rows[0]!, want, ratePerSecond, burst);
  }

  // ---- System mail queue ----------------------------------------------------------------------

  async enqueueSystemMail(kind: SystemMailKind, subscriberId: number, now: Date = new Date()): Promise<SystemMail> {
    return toSystemMail((await this.query<SystemMailRow>(SQL.enqueueSystemMail, [kind, subscriberId, now])).rows[0]!);
  }

  async claimSystemMail(workerId: string, limit: number, leaseMs: number, now: number = Date.now()): Promise<SystemMail[]> {
    const { rows } = await this.query<SystemMailRow>(SQL.claimSystemMail, [now, workerId, now + leaseMs, limit]);
    return rows.map(toSystemMail);
  }

  async markSystemMailSent(id: number, outcome: DeliveryOutcome): Promise<void> {
    await this.query(SQL.markSystemMailSent, [id, outcome.smtpCode, outcome.smtpResponse]);
  }

  async markSystemMailRetry(id: number, nextAttemptAt: number, outcome: DeliveryOutcome): Promise<void> {
    await this.query(SQL.markSystemMailRetry, [id, nextAttemptAt, outcome.smtpCode, outcome.smtpResponse]);
  }

  async markSystemMailFailed(id: number, outcome: DeliveryOutcome): Promise<void> {
    await this.query(SQL.markSystemMailFailed, [id, outcome.smtpCode, outcome.smtpResponse]);
  }

  async nextSystemMailAt(): Promise<number | null> {
    return (await this.query<{ at: number | null }>(SQL.nextSystemMailAt)).rows[0]?.at ?? null;
  }

  // ---- Settings ------------------------------------------------------------------------------

  async getSetting(key: string): Promise<string | null> {
    const { rows } = await this.query<{ value: string }>(SQL.getSetting, [key]);
    return rows[0]?.value ?? null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.query(SQL.setSetting, [key, value]);
  }

  async initSetting(key: string, value: string): Promise<string> {
    // The CTE's insert and the plain read see the same snapshot: a row another transaction
    // committed first is read by the second SELECT, ours by the first.
    for (let tries = 0; tries < 3; tries++) {
      const { rows } = await this.query<{ value: string }>(SQL.initSetting, [key, value]);
      if (rows[0]) return rows[0].value;
    }
    throw new StoreError(`${this.where}: could not read setting ${key} back`);
  }

  // ---- Internals -----------------------------------------------------------------------------

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw this.translate(err);
    }
  }

  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (err) {
      throw this.translate(err);
    }
  }

  private async transaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw this.translate(err);
    } finally {
      client.release();
    }
  }

  /** Connection failures become one line naming the server (never the password). */
  private translate(err: unknown): unknown {
    if (err instanceof StoreError || err instanceof DuplicateSubscriberError || err instanceof InvalidEmailError) return err;
    const e = err as { code?: string; message?: string };
    const connectionCodes = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'EAI_AGAIN'];
    if (e.code && connectionCodes.includes(e.code)) {
      return new StoreError(`${this.where}: cannot connect to PostgreSQL (${e.code}: ${e.message})`);
    }
    if (e.code === '3D000' || e.code === '28P01' || e.code === '28000' || e.code === '42501') {
      return new StoreError(`${this.where}: PostgreSQL refused: ${e.message}`);
    }
    return err;
  }
}

const INT8_OID = 20;
// bigint -> number for this pool only (ids and epoch ms are far below 2^53), without touching pg's globals.
const parserFor = ((oid: number, format?: string) =>
  oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser;

/** Takes `schema` out of the URL (pg would not understand it) and checks it is a plain identifier. */
export function splitSchema(databaseUrl: string): { url: string; schema: string | null; options: string | null } {
  let parsed: URL;
  try {
    parsed = new URL(databaseUrl);
  } catch {
    throw new StoreError(`DATABASE_URL: not a valid URL (expected postgres://user:password@host:5432/database)`);
  }
  const schema = parsed.searchParams.get('schema');
  if (schema === null) return { url: databaseUrl, schema: null, options: null };
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new StoreError(`DATABASE_URL: schema "${schema}" must be letters, digits and _ (not starting with a digit)`);
  }
  parsed.searchParams.delete('schema');
  // The schema becomes a startup option; options already in the URL (`?options=-c ...`) are kept.
  const given = parsed.searchParams.get('options');
  parsed.searchParams.delete('options');
  const name = schema.toLowerCase();
  return { url: parsed.toString(), schema: name, options: `${given ? `${given} ` : ''}-c search_path=${name}` };
}

function describe(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function subscriberParams(input: NewSubscriber) {
  return {
    ...addressColumns(input.email),
    name: input.name ?? null,
    status: input.status ?? 'active',
    topics: normalizeTopics(input.topics),
    source: input.source ?? null,
  };
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function toSubscriber(r: SubscriberRow): Subscriber {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    status: r.status,
    topics: r.topics,
    createdAt: r.created_at.toISOString(),
    confirmedAt: iso(r.confirmed_at),
    unsubscribedAt: iso(r.unsubscribed_at),
    source: r.source,
  };
}

function toCampaign(r: CampaignRow): Campaign {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    createdAt: r.created_at.toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    recipients: r.recipients,
    transport: r.transport,
  };
}

