// The operator API under /api. Callers: the PRESSROOM_ADMIN_TOKEN (owner), a named API token with its
// role, or a console session (with its CSRF token in x-csrf-token for unsafe methods); see
// src/server/admin/auth.ts. Each route names the role it needs (needs()); reading needs viewer.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { formatProblem, isPublished, type Issue, type Problem } from '../content/issue.js';
import { findIssue } from '../content/load.js';
import { enqueueCampaign, TransportMismatchError } from '../delivery/campaign.js';
import { SendError } from '../delivery/transport.js';
import { campaignReport, campaignState } from '../domain/campaign-state.js';
import { maxLatenessMs, notEmailableText, tooLateText, whyNotDue, whyNotEmailable, type SendSchedule } from '../domain/publication.js';
import { SUBSCRIBER_STATUSES, type SubscriberStatus } from '../domain/subscriber-status.js';
import { prepareIssueEmail } from '../email/issue-email.js';
import { testRecipient } from '../email/message.js';
import { DuplicateSubscriberError, type Campaign, type CampaignStats } from '../storage/store.js';
import { readWatermark } from '../worker/state.js';
import { guard, needs } from './admin/auth.js';
import { applyBrake, BRAKE_ACTIONS } from './brakes.js';
import type { ServerContext } from './context.js';
import { checkEmail, checkName, checkTopics, type SignUpFields } from './input.js';
import { newSubscriberSchema, signUpSchema } from './schemas.js';
import { importCsvText } from './subscriber-actions.js';
import { registerSubscriberApi } from './subscribers-api.js';

const MAX_IMPORT_BYTES = 32 * 1024 * 1024;

export { tokenMatches } from './auth.js';

export async function registerApiRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  await app.register(
    async (api) => {
      api.addHook('onRequest', guard(ctx, { answer: 'api', forbidden: (reply, why) => reply.code(403).send({ error: why }) }));
      api.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_IMPORT_BYTES }, (_req, body, done) => done(null, body));
      routes(api, ctx);
    },
    { prefix: '/api' },
  );
}

function routes(api: FastifyInstance, ctx: ServerContext): void {
  const { store, runner, logger } = ctx;
  registerSubscriberApi(api, ctx);

  const loadIssue = async (slug: string): Promise<Issue | undefined> => {
    ctx.issues.invalidate(); // operators act on what is on disk now
    const { issues } = await ctx.issues.current();
    return findIssue(issues, slug);
  };

  api.get('/issues', async () => {
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
  });

  api.post<{ Params: { slug: string }; Querystring: { wait?: string } }>('/issues/:slug/send', needs('editor'), async (request, reply) => {
    const issue = await loadIssue(request.params.slug);
    if (!issue) return reply.code(404).send({ error: `no issue with slug "${request.params.slug}"` });
    const refused = whyNotEmailable(issue, ctx.now());
    if (refused === 'feeds-only') return reply.code(409).send({ error: `${issue.slug}: email is false in its front matter (feeds only)` });
    if (refused) return reply.code(409).send({ error: `${issue.slug}: not published yet (draft or dated in the future)` });
    if (runner.stopping) return reply.code(503).send({ error: 'shutting down' });
    const { campaign, created } = await enqueueCampaign(store, issue, runner.transportIdentity);
    const state = campaignState(campaign);
    if (state === 'paused') return reply.code(409).send({ error: `campaign ${campaign.slug} is paused; POST /api/campaigns/${campaign.slug}/resume continues it` });
    if (state === 'cancelling') return reply.code(409).send({ error: `campaign ${campaign.slug} is cancelled` });
    const sending = runner.send(issue);
    if (request.query.wait === '1' || request.query.wait === 'true') {
      try {
        const stats = await sending;
        return reply.code(200).send({ campaign, created, stats });
      } catch (err) {
        if (err instanceof TransportMismatchError) return reply.code(409).send({ error: err.message });
        throw err;
      }
    }
    sending.catch((err: unknown) => logger.error({ err, slug: issue.slug }, 'send started from the API failed'));
    return reply.code(202).send({ campaign, created });
  });

  // The outbound event queue (src/webhooks/outbound/): counts and the newest failures.
  api.get('/events', async () => store.eventQueueReport());

  api.get<{ Params: { slug: string } }>('/campaigns/:slug', async (request, reply) => {
    const campaign = await store.getCampaign(request.params.slug);
    if (!campaign) return reply.code(404).send({ error: `no campaign "${request.params.slug}"` });
    return { ...campaignReport(campaign, await store.campaignStats(campaign.id)), workers: await store.workerStats(campaign.id) };
  });

  // The brakes: they write the campaign row; every worker sending it reads that within one poll.
  for (const action of BRAKE_ACTIONS) {
    api.post<{ Params: { slug: string } }>(`/campaigns/:slug/${action}`, needs('editor'), async (request, reply) => {
      const { slug } = request.params;
      const result = await applyBrake(store, slug, action);
      if (!result.ok) return reply.code(result.status).send({ error: result.error });
      logger.info({ slug, action }, `campaign ${slug}: ${action} (API)`);
      return campaignReport(result.campaign, await store.campaignStats(result.campaign.id));
    });
  }

  api.post<{ Params: { slug: string }; Body: SignUpFields }>('/issues/:slug/test', { ...signUpSchema(), ...needs('editor') }, async (request, reply) => {
    const email = checkEmail(request.body.email);
    if (!email.ok) return reply.code(400).send({ error: email.error });
    const issue = await loadIssue(request.params.slug);
    if (!issue) return reply.code(404).send({ error: `no issue with slug "${request.params.slug}"` });
    const prepared = await prepareIssueEmail(ctx.config, issue, ctx.secret);
    const message = prepared.messageFor(testRecipient(email.value));
    try {
      const result = await ctx.transport.send(message);
      return { ok: true, messageId: message.messageId, code: result.code, response: result.response };
    } catch (err) {
      if (err instanceof SendError) return reply.code(502).send({ ok: false, code: err.code, error: err.response || err.message });
      throw err;
    }
  });

  api.post<{ Body: SignUpFields & { status: SubscriberStatus } }>('/subscribers', { ...newSubscriberSchema(SUBSCRIBER_STATUSES), ...needs('editor') }, async (request, reply) => {
    const email = checkEmail(request.body.email);
    if (!email.ok) return reply.code(400).send({ error: email.error });
    const name = checkName(request.body.name);
    if (!name.ok) return reply.code(400).send({ error: name.error });
    const topics = checkTopics(request.body.topics);
    if (!topics.ok) return reply.code(400).send({ error: topics.error });
    const { status } = request.body;
    try {
      const subscriber = await store.addSubscriber({ email: email.value, name: name.value, topics: topics.value, status, source: 'api' });
      return reply.code(201).send(subscriber);
    } catch (err) {
      if (err instanceof DuplicateSubscriberError) return reply.code(409).send({ error: err.message });
      throw err;
    }
  });

  // Everything stored about one address (GDPR access request).
  api.get<{ Params: { email: string } }>('/subscribers/:email/export', async (request, reply) => {
    const found = await store.exportSubscriber(request.params.email);
    if (!found) return reply.code(404).send({ error: `${request.params.email}: nothing stored about this address` });
    return reply.header('cache-control', 'no-store').send({ email: request.params.email, ...found });
  });

  api.post('/subscribers/import', { bodyLimit: MAX_IMPORT_BYTES, ...needs('editor') }, async (request, reply) => {
    if (typeof request.body !== 'string') return reply.code(415).send({ error: 'send the CSV as the body with Content-Type: text/csv' });
    const answer = await importCsvText(store, request.body);
    return answer.ok ? { ...answer.summary, problems: answer.problems } : reply.code(400).send({ error: answer.error });
  });
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
