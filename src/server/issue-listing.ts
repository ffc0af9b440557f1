// What `check` sees in the issues folder, for GET /api/issues and the console's issues page: each
// issue with its status (sent, sending, due, scheduled, too late, draft, feeds only...) and why,
// and the problems with file and line, every path relative to the issues folder.
import path from 'node:path';
import { formatProblem, isPublished, type Issue, type Problem } from '../content/issue.js';
import { campaignReport } from '../domain/campaign-state.js';
import { maxLatenessMs, notEmailableText, tooLateText, whyNotDue, type SendSchedule } from '../domain/publication.js';
import type { Campaign, CampaignStats } from '../storage/store.js';
import { readWatermark } from '../worker/state.js';
import type { ServerContext } from './context.js';

export async function issueListing(ctx: ServerContext) {
  const { store } = ctx;
  ctx.issues.invalidate();
  const [{ issues, problems }, campaigns, watermark] = await Promise.all([ctx.issues.current(), store.listCampaigns(), readWatermark(store)]);
  const bySlug = new Map(campaigns.map((c) => [c.slug, c]));
  const now = ctx.now();
  const schedule: SendSchedule = { watermark, maxLatenessMs: maxLatenessMs(ctx.config.email.maxLatenessHours) };
  const rows = [];
  for (const issue of issues) {
    const campaign = bySlug.get(issue.slug) ?? null;
    const stats = campaign ? await store.campaignStats(campaign.id) : null;
    const status = issueStatus(issue, now, schedule, campaign, stats);
    rows.push({
      slug: issue.slug,
      title: issue.title,
      date: issue.date.iso,
      sendAt: (issue.sendAt ?? issue.date).iso,
      url: issue.url,
      source: inIssuesFolder(ctx.config.issuesDir, issue.sourcePath),
      draft: issue.draft,
      published: isPublished(issue, now),
      email: issue.email,
      status,
      reason: campaign ? null : statusReason(issue, status, ctx.config.email.maxLatenessHours),
      campaign: campaign && stats ? campaignReport(campaign, stats) : null,
    });
  }
  return { watermark: watermark === null ? null : new Date(watermark).toISOString(), issues: rows, problems: problems.map((p) => problemLine(ctx.config.issuesDir, p)) };
}

/** A path as the API shows it: relative to the issues folder, so no server path leaves the process. */
function inIssuesFolder(issuesDir: string, file: string): string {
  return path.relative(issuesDir, path.resolve(file)).split(path.sep).join('/');
}

/** One problem line with its file (and any path in its message) relative to the issues folder. */
function problemLine(issuesDir: string, problem: Problem): string {
  const prefixes = [path.resolve(issuesDir), path.relative(process.cwd(), issuesDir)].filter((p) => p !== '' && !p.startsWith('..'));
  let message = problem.message;
  for (const prefix of prefixes) message = message.split(`${prefix}${path.sep}`).join('');
  return formatProblem({ ...problem, file: inIssuesFolder(issuesDir, problem.file), message });
}

function issueStatus(issue: Issue, now: number, schedule: SendSchedule, campaign: Campaign | null, stats: CampaignStats | null): string {
  if (campaign && stats) {
    if (campaign.cancelledAt) return 'cancelled';
    if (campaign.pausedAt && !campaign.finishedAt) return 'paused';
    if (campaign.finishedAt) return stats.failed > 0 ? 'sent-with-failures' : 'sent';
    return stats.sent + stats.failed > 0 || campaign.startedAt ? 'sending' : 'queued';
  }
  return whyNotDue(issue, now, schedule) ?? 'due';
}

/** Why an issue without a campaign is not (yet) mailed, as one line; null when the worker will mail it. */
function statusReason(issue: Issue, status: string, maxLatenessHours: number): string | null {
  switch (status) {
    case 'draft':
    case 'feeds-only':
      return notEmailableText(status, issue);
    case 'scheduled':
      return `is emailed at ${(issue.sendAt ?? issue.date).iso}`;
    case 'back-catalogue':
      return 'was due before the worker first started; it is not mailed automatically';
    case 'too-late':
      return tooLateText(issue, maxLatenessHours);
    default:
      return null;
  }
}
