// Send, retry and test-send from HTTP (the API and the console's buttons): the same checks and the
// same answers, in one place. Two editors sending the same issue at once get one campaign: the
// store creates it with INSERT ... ON CONFLICT (slug) DO NOTHING on the unique slug, so the second
// request reads the first one's campaign (created: false), and the runner joins a send already
// running for that slug instead of starting another.
import type { Issue } from '../content/issue.js';
import { findIssue } from '../content/load.js';
import { enqueueCampaign } from '../delivery/campaign.js';
import { SendError } from '../delivery/transport.js';
import { campaignState } from '../domain/campaign-state.js';
import { whyNotEmailable } from '../domain/publication.js';
import { testRecipient } from '../email/message.js';
import type { Campaign } from '../storage/store.js';
import type { SendOutcome } from '../delivery/campaign.js';
import type { ServerContext } from './context.js';

export type Refusal = { ok: false; status: 404 | 409 | 503; error: string };

/** The issue as it is on disk now: operators act on what they just saved. */
export async function issueOnDisk(ctx: ServerContext, slug: string): Promise<Issue | undefined> {
  ctx.issues.invalidate();
  const { issues } = await ctx.issues.current();
  return findIssue(issues, slug);
}

/** Creates the issue's campaign (or finds it) and starts sending it in this process. */
export async function startSend(ctx: ServerContext, slug: string): Promise<{ ok: true; campaign: Campaign; created: boolean; sending: Promise<SendOutcome> } | Refusal> {
  const issue = await issueOnDisk(ctx, slug);
  if (!issue) return { ok: false, status: 404, error: `no issue with slug "${slug}"` };
  const refused = whyNotEmailable(issue, ctx.now());
  if (refused === 'feeds-only') return { ok: false, status: 409, error: `${issue.slug}: email is false in its front matter (feeds only)` };
  if (refused) return { ok: false, status: 409, error: `${issue.slug}: not published yet (draft or dated in the future)` };
  if (ctx.runner.stopping) return { ok: false, status: 503, error: 'shutting down' };
  const { campaign, created } = await enqueueCampaign(ctx.store, issue, ctx.runner.transportIdentity);
  const state = campaignState(campaign);
  if (state === 'paused') return { ok: false, status: 409, error: `campaign ${campaign.slug} is paused; POST /api/campaigns/${campaign.slug}/resume continues it` };
  if (state === 'cancelling') return { ok: false, status: 409, error: `campaign ${campaign.slug} is cancelled` };
  return { ok: true, campaign, created, sending: ctx.runner.send(issue) };
}

/**
 * `pressroom retry SLUG [--unknown]`: re-queues the temporary failures (or the messages of unknown
 * outcome, which may have arrived) and sends them in this process; returns how many were re-queued.
 */
export async function startRetry(ctx: ServerContext, slug: string, unknown: boolean): Promise<{ ok: true; requeued: number } | Refusal> {
  const campaign = await ctx.store.getCampaign(slug);
  if (!campaign) return { ok: false, status: 404, error: `no campaign "${slug}"` };
  const issue = await issueOnDisk(ctx, slug);
  if (!issue) return { ok: false, status: 409, error: `campaign ${slug}: its issue file is gone, so nothing can be re-sent` };
  if (ctx.runner.stopping) return { ok: false, status: 503, error: 'shutting down' };
  const requeued = unknown ? await ctx.store.requeueUnknownOutcomes(campaign.id) : await ctx.store.requeueTemporaryFailures(campaign.id);
  if (requeued > 0) ctx.runner.send(issue).catch((err: unknown) => ctx.logger.error({ err, slug }, 'retry started over HTTP failed'));
  return { ok: true, requeued };
}

export type TestSendResult = { address: string; ok: true; messageId: string; code: number; response: string } | { address: string; ok: false; code: number | null; error: string };

/** One test copy of the issue to each address (rendered once), with what the server answered for each. */
export async function testSend(ctx: ServerContext, issue: Issue, addresses: readonly string[]): Promise<TestSendResult[]> {
  // Loaded on the first test send: the rendering libraries stay out of the serving process until then.
  const { prepareIssueEmail } = await import('../email/issue-email.js');
  const prepared = await prepareIssueEmail(ctx.config, issue, ctx.secret);
  const results: TestSendResult[] = [];
  for (const address of addresses) {
    const message = prepared.messageFor(testRecipient(address));
    try {
      const result = await ctx.transport.send(message);
      results.push({ address, ok: true, messageId: message.messageId, code: result.code, response: result.response });
    } catch (err) {
      if (!(err instanceof SendError)) throw err;
      results.push({ address, ok: false, code: err.code, error: err.response || err.message });
    }
  }
  return results;
}
