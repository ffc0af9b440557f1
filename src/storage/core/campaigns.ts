// Campaigns, written once over the dialect: idempotent creation with its recipient snapshot,
// the transport a campaign is sent through, counts, and when a campaign is finished.
import { normalizeTopics } from '../../domain/topics.js';
import { campaignStatsFrom, ledgerTotalsFrom, type StateCount } from '../ledger-rows.js';
import { StoreError, type Campaign, type CampaignStats, type LedgerTotals } from '../store.js';
import { isRecipient } from './audience.js';
import { withFragments, type Dialect, type Sql } from './dialect.js';
import { recordCampaignEvent } from './events.js';
import { CAMPAIGN_COLUMNS, iso, mapOrNull, toCampaign, type CampaignRow } from './rows.js';

/** Per state: rows, and of them those bounced, soft-bounced and complained about (StateCount). */
const FEEDBACK_COUNTS = `count(*) AS n, count(*) FILTER (WHERE bounced) AS bounced,
      count(*) FILTER (WHERE soft_bounces > 0) AS soft_bounced, count(*) FILTER (WHERE complained) AS complained`;

const SQL = {
  insertCampaign: `INSERT INTO campaigns (slug, title, topics, created_at, transport, issue_date) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (slug) DO NOTHING RETURNING id`,
  setRecipients: `UPDATE campaigns SET recipients = $2 WHERE id = $1`,
  // The first sender of a campaign created before transports were recorded adopts it.
  claimCampaignTransport: `UPDATE campaigns SET transport = coalesce(transport, $2) WHERE id = $1 RETURNING transport`,
  getCampaignBySlug: `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE slug = $1`,
  getCampaignById: `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1`,
  listCampaigns: `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns ORDER BY created_at DESC, id DESC`,
  campaignCounts: `SELECT state, ${FEEDBACK_COUNTS} FROM deliveries WHERE campaign_id = $1 GROUP BY state`,
  // Every campaign at once, for /metrics: one query whatever the number of campaigns.
  ledgerCounts: `SELECT state, ${FEEDBACK_COUNTS} FROM deliveries GROUP BY state`,
  // The newest $1 campaigns' rows by state (for /metrics: a bounded number of label sets).
  // (Only deliveries has the counted columns, so they need no table name.)
  recentCampaignCounts: `SELECT c.slug, d.state, ${FEEDBACK_COUNTS}
      FROM campaigns c JOIN deliveries d ON d.campaign_id = c.id
      WHERE c.id IN (SELECT id FROM campaigns ORDER BY id DESC LIMIT $1)
      GROUP BY c.slug, d.state`,
  campaignTotals: `SELECT count(*) AS total, count(finished_at) AS finished FROM campaigns`,
  workerStats: `SELECT worker_id, count(*) FILTER (WHERE state = 'sent') AS sent, count(*) FILTER (WHERE state = 'sending') AS sending
      FROM deliveries WHERE campaign_id = $1 AND worker_id IS NOT NULL GROUP BY worker_id ORDER BY worker_id`,
  // Only touches (and locks) the row the first time, so claimers do not queue on the campaign row.
  markStarted: `UPDATE campaigns SET started_at = $2 WHERE id = $1 AND started_at IS NULL RETURNING slug`,
  notStarted: `SELECT 1 AS yes FROM campaigns WHERE id = $1 AND started_at IS NULL`,
  // EXISTS stops at the first unfinished row instead of counting a million of them.
  unfinished: `SELECT EXISTS (SELECT 1 FROM deliveries WHERE campaign_id = $1 AND claimable_at IS NOT NULL) AS busy`,
  markFinished: `UPDATE campaigns SET finished_at = $2 WHERE id = $1 AND finished_at IS NULL RETURNING slug`,
  reopenCampaign: `UPDATE campaigns SET finished_at = NULL WHERE id = $1`,
  // Not paused. A cancelled campaign is pending only while a dead worker's lease has run out
  // (nothing else of it is claimable): whoever picks it up cancels those rows and finishes it.
  pendingCampaigns: `SELECT c.slug FROM campaigns c
      WHERE c.finished_at IS NULL AND c.paused_at IS NULL
        AND EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.claimable_at <= $1)
      ORDER BY c.id`,
} as const;

/** $1 campaign, $2 its topics: every recipient (src/storage/core/audience.ts) becomes a queued ledger row. */
const snapshotRecipientsSql = withFragments(
  (f) => `INSERT INTO deliveries (campaign_id, subscriber_id, email, name, state, claimable_at)
      SELECT $1, s.id, s.email, s.name, 'queued', 0
      FROM subscribers s
      WHERE ${isRecipient(f, '$2')}`,
);

/**
 * $1 campaign: the recipients who have no row in it yet (they subscribed, confirmed or changed
 * topics after the snapshot) become queued rows. The primary key (campaign_id, subscriber_id)
 * makes it idempotent even when two of these race; a cancelled campaign gets nobody.
 */
const addNewcomersSql = withFragments(
  (f) => `INSERT INTO deliveries (campaign_id, subscriber_id, email, name, state, claimable_at)
      SELECT c.id, s.id, s.email, s.name, 'queued', 0
      FROM campaigns c, subscribers s
      WHERE c.id = $1 AND c.cancelled_at IS NULL AND ${isRecipient(f, 'c.topics')}
        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.campaign_id = c.id AND d.subscriber_id = s.id)
      ON CONFLICT (campaign_id, subscriber_id) DO NOTHING`,
);

const addRecipientsSql = `UPDATE campaigns SET recipients = recipients + $2 WHERE id = $1`;

export interface NewCampaign {
  slug: string;
  title: string;
  topics: string[];
  transport?: string | null;
  /** The issue's date, RFC 3339 (Issue.date.iso). */
  issueDate?: string | null;
}

export function createCampaign(db: Dialect, input: NewCampaign, now: Date): Promise<{ campaign: Campaign; created: boolean }> {
  const topics = db.list(normalizeTopics(input.topics));
  // Only the inserting transaction snapshots; a concurrent creator waits on the unique slug until
  // the winner commits, then inserts nothing and reads the winner's campaign.
  return db.transaction(async (tx) => {
    const inserted = await tx.one<{ id: number }>(SQL.insertCampaign, [input.slug, input.title, topics, now, input.transport ?? null, input.issueDate ?? null]);
    if (inserted) {
      const recipients = await tx.run(snapshotRecipientsSql(db.fragments), [inserted.id, topics]);
      await tx.run(SQL.setRecipients, [inserted.id, recipients]);
    }
    const row = await tx.one<CampaignRow>(SQL.getCampaignBySlug, [input.slug]);
    if (!row) throw new StoreError(`${db.where}: campaign ${input.slug} vanished right after creation`);
    return { campaign: toCampaign(row), created: inserted !== undefined };
  });
}

/** `pressroom send SLUG --newcomers`: queues the recipients the snapshot did not have and reopens the campaign; returns how many. */
export function addNewcomers(db: Dialect, campaignId: number): Promise<number> {
  return db.transaction(async (tx) => {
    const added = await tx.run(addNewcomersSql(db.fragments), [campaignId]);
    if (added > 0) {
      await tx.run(addRecipientsSql, [campaignId, added]);
      await reopenCampaign(tx, campaignId);
    }
    return added;
  });
}

export async function claimCampaignTransport(db: Dialect, campaignId: number, transport: string): Promise<string> {
  const row = await db.one<{ transport: string }>(SQL.claimCampaignTransport, [campaignId, transport]);
  if (!row) throw new StoreError(`${db.where}: no campaign with id ${campaignId}`);
  return row.transport;
}

export async function getCampaign(db: Dialect, slug: string): Promise<Campaign | null> {
  return mapOrNull(await db.one<CampaignRow>(SQL.getCampaignBySlug, [slug]), toCampaign);
}

export async function listCampaigns(db: Dialect): Promise<Campaign[]> {
  return (await db.all<CampaignRow>(SQL.listCampaigns)).map(toCampaign);
}

export async function campaignStats(db: Dialect, campaignId: number): Promise<CampaignStats> {
  const [campaign, counts] = await Promise.all([db.one<CampaignRow>(SQL.getCampaignById, [campaignId]), db.all<StateCount>(SQL.campaignCounts, [campaignId])]);
  return campaignStatsFrom(counts, iso(campaign?.started_at ?? null), iso(campaign?.finished_at ?? null));
}

export async function ledgerTotals(db: Dialect): Promise<LedgerTotals> {
  const [counts, totals] = await Promise.all([db.all<StateCount>(SQL.ledgerCounts), db.one<{ total: number; finished: number }>(SQL.campaignTotals)]);
  return ledgerTotalsFrom(counts, totals ?? { total: 0, finished: 0 });
}

/** Counts per campaign for the newest `limit` campaigns (sent, bounces, complaints...), by slug. */
export async function recentCampaignStats(db: Dialect, limit: number): Promise<Map<string, CampaignStats>> {
  const rows = await db.all<StateCount & { slug: string }>(SQL.recentCampaignCounts, [limit]);
  const bySlug = new Map<string, StateCount[]>();
  for (const r of rows) bySlug.set(r.slug, [...(bySlug.get(r.slug) ?? []), r]);
  return new Map([...bySlug].map(([slug, counts]) => [slug, campaignStatsFrom(counts, null, null)]));
}

export async function workerStats(db: Dialect, campaignId: number): Promise<Array<{ workerId: string; sent: number; sending: number }>> {
  const rows = await db.all<{ worker_id: string; sent: number; sending: number }>(SQL.workerStats, [campaignId]);
  return rows.map((r) => ({ workerId: r.worker_id, sent: r.sent, sending: r.sending }));
}

/**
 * The first claim of a campaign starts it, and tells the event endpoint so, once. Every claim
 * batch calls this: once the campaign has started it costs one read and no transaction, as the
 * bare UPDATE did before events; two workers starting it together both write, and the UPDATE's
 * compare-and-set lets one of them record the event.
 */
export async function markStarted(db: Dialect, campaignId: number, at: Date): Promise<void> {
  if (!(await db.one(SQL.notStarted, [campaignId]))) return;
  await db.transaction(async (tx) => {
    const started = await tx.one<{ slug: string }>(SQL.markStarted, [campaignId, at]);
    if (started) await recordCampaignEvent(tx, 'campaign.started', { id: campaignId, slug: started.slug }, at);
  });
}

export async function reopenCampaign(tx: Sql, campaignId: number): Promise<void> {
  await tx.run(SQL.reopenCampaign, [campaignId]);
}

export async function pendingCampaigns(db: Dialect, now: number): Promise<string[]> {
  return (await db.all<{ slug: string }>(SQL.pendingCampaigns, [now])).map((r) => r.slug);
}

export function finishCampaignIfDone(db: Dialect, campaignId: number, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { busy } = (await tx.one<{ busy: boolean | number }>(SQL.unfinished, [campaignId]))!;
    if (busy) return false;
    const finished = await tx.one<{ slug: string }>(SQL.markFinished, [campaignId, now]);
    if (finished) await recordCampaignEvent(tx, 'campaign.finished', { id: campaignId, slug: finished.slug }, now);
    return true;
  });
}
