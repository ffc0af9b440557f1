// A campaign's failed and retrying rows grouped by what the server said (src/domain/smtp-errors.ts).
// The database groups exact responses (the index on campaign_id narrows the scan); the most common
// EXACT_GROUPS of them are folded into normalised groups, and the rest are counted as one "other".
import { groupErrors, type CampaignErrors, type ExactErrorCount } from '../../domain/smtp-errors.js';
import type { Dialect } from './dialect.js';

/** Enough for every realistic mix of answers; a campaign with more distinct texts shows the rest as `other`. */
const EXACT_GROUPS = 500;

const SQL = {
  exactCounts: `SELECT smtp_code, smtp_response, state, count(*) AS n FROM deliveries
      WHERE campaign_id = $1 AND state IN ('failed', 'retry')
      GROUP BY smtp_code, smtp_response, state
      ORDER BY n DESC, smtp_code, smtp_response LIMIT $2`,
  totals: `SELECT count(*) FILTER (WHERE state = 'failed') AS failed, count(*) FILTER (WHERE state = 'retry') AS retry
      FROM deliveries WHERE campaign_id = $1 AND state IN ('failed', 'retry')`,
} as const;

export async function campaignErrors(db: Dialect, campaignId: number): Promise<CampaignErrors> {
  const rows = await db.all<{ smtp_code: number | null; smtp_response: string | null; state: 'failed' | 'retry'; n: number }>(SQL.exactCounts, [campaignId, EXACT_GROUPS]);
  const exact: ExactErrorCount[] = rows.map((r) => ({ smtpCode: r.smtp_code, smtpResponse: r.smtp_response, state: r.state, n: r.n }));
  const groups = groupErrors(exact);
  const totals = (await db.one<{ failed: number; retry: number }>(SQL.totals, [campaignId]))!;
  const shown = (state: 'failed' | 'retry') => exact.filter((e) => e.state === state).reduce((sum, e) => sum + e.n, 0);
  return { groups, other: { failed: totals.failed - shown('failed'), retry: totals.retry - shown('retry') } };
}
