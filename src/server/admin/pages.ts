// The console's campaign pages: the list at /admin and one page per campaign with the brakes
// (pause, resume, cancel) as POST forms carrying the session's CSRF token. The figures are
// campaignReport's, as in the API and `status --json`. A viewer sees no buttons, and the guard
// refuses their POST (the route needs editor).
import type { FastifyInstance } from 'fastify';
import { brakeRefusal, campaignReport, type BrakeAction } from '../../domain/campaign-state.js';
import { roleAllows } from '../../domain/roles.js';
import type { Campaign, CampaignStats } from '../../storage/store.js';
import { applyBrake, BRAKE_ACTIONS } from '../brakes.js';
import type { ServerContext } from '../context.js';
import { startRetry } from '../sending.js';
import { identityOf, needs, type Identity } from './auth.js';
import { CAMPAIGN_LIVE_SCRIPT_PATH, registerCampaignLiveScript } from './campaign-live.js';
import { sendAdminPage } from './render.js';

const BUTTON_LABELS: Record<BrakeAction, string> = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel the campaign' };
/** Cancel cannot be undone: its form has a box to tick first (checked here too, not only by the browser). */
const CANCEL_CONFIRM = 'Yes: the messages not sent yet will never be sent';

/** One campaign's row as the templates show it. */
function campaignView(campaign: Campaign, stats: CampaignStats) {
  const { summary } = campaignReport(campaign, stats);
  return {
    slug: campaign.slug,
    title: campaign.title,
    href: `/admin/campaigns/${encodeURIComponent(campaign.slug)}`,
    state: summary.state,
    pauseReason: summary.pauseReason,
    recipients: campaign.recipients,
    sent: stats.sent,
    failed: stats.failed,
    waiting: stats.queued + stats.sending + stats.retry,
    bounces: summary.hardBounces + summary.softBounces,
    complaints: summary.complaints,
    cancelled: summary.cancelled,
    startedAt: campaign.startedAt,
    finishedAt: campaign.finishedAt,
    started: shortTime(campaign.startedAt),
    finished: shortTime(campaign.finishedAt),
  };
}

/** `2026-11-13 09:30 UTC`: to the minute, in UTC like `pressroom status` (the exact time is the <time> element's datetime). */
function shortTime(iso: string | null): string | null {
  return iso === null ? null : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The session of a console page's request (the page guard lets only sessions through). */
export function sessionOnly(identity: Identity): Extract<Identity, { kind: 'session' }> {
  if (identity.kind !== 'session') throw new Error('console pages are behind a session');
  return identity;
}

export function registerCampaignPages(admin: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;

  admin.get('/', async (request, reply) => {
    const session = sessionOnly(identityOf(request));
    const campaigns = await store.listCampaigns();
    const rows = [];
    for (const c of campaigns) rows.push(campaignView(c, await store.campaignStats(c.id)));
    return sendAdminPage(reply, ctx, 200, 'campaigns', { title: 'Campaigns', session }, { campaigns: rows });
  });

  const campaignPage = async (request: Parameters<typeof identityOf>[0], reply: Parameters<typeof sendAdminPage>[0], slug: string, status: number, notice: string | null) => {
    const session = sessionOnly(identityOf(request));
    const campaign = await store.getCampaign(slug);
    if (!campaign) return sendAdminPage(reply, ctx, 404, 'not-found', { title: 'Not found', session });
    const stats = await store.campaignStats(campaign.id);
    const view = campaignView(campaign, stats);
    const editor = roleAllows(session.role, 'editor');
    const actions = editor
      ? BRAKE_ACTIONS.filter((a) => brakeRefusal(campaign, a) === null).map((a) => ({
          action: `${view.href}/${a}`,
          label: BUTTON_LABELS[a],
          confirm: a === 'cancel' ? CANCEL_CONFIRM : null,
        }))
      : [];
    const over = view.state === 'finished' || view.state === 'cancelled';
    const live = {
      stream: over ? null : `/api/campaigns/${encodeURIComponent(campaign.slug)}/stream`,
      script: CAMPAIGN_LIVE_SCRIPT_PATH,
      workers: await store.workerStats(campaign.id),
      errors: await store.campaignErrors(campaign.id),
    };
    // Retry applies once nothing is left to send by itself (like `pressroom retry`): temporary failures, and, ticked, the unknown outcomes.
    const retry = editor && view.state === 'finished' && (stats.failed > 0 || stats.unknown > 0) ? { action: `${view.href}/retry`, unknown: stats.unknown } : null;
    return sendAdminPage(reply, ctx, status, 'campaign', { title: campaign.title, session, notice }, { c: view, actions, live, retry });
  };

  admin.get<{ Params: { slug: string } }>('/campaigns/:slug', (request, reply) => campaignPage(request, reply, request.params.slug, 200, null));

  registerCampaignLiveScript(admin);

  admin.post<{ Params: { slug: string }; Body: { unknown?: string } | undefined }>(
    '/campaigns/:slug/retry',
    {
      schema: {
        params: { type: 'object', required: ['slug'], properties: { slug: { type: 'string', minLength: 1 } } },
        body: { type: 'object', properties: { _csrf: { type: 'string' }, unknown: { type: 'string' } } },
      },
      ...needs('editor'),
    },
    async (request, reply) => {
      const { slug } = request.params;
      const result = await startRetry(ctx, slug, request.body?.unknown === 'yes');
      if (!result.ok) return campaignPage(request, reply, slug, result.status, result.error);
      ctx.logger.info({ slug, requeued: result.requeued, operator: sessionOnly(identityOf(request)).email }, `campaign ${slug}: retry (console)`);
      if (result.requeued === 0)
        return campaignPage(request, reply, slug, 200, 'Nothing to retry: no temporary failures (or unknown outcomes, if ticked) of subscribers still active.');
      return reply
        .code(303)
        .header('location', `/admin/campaigns/${encodeURIComponent(slug)}`)
        .send();
    },
  );

  for (const action of BRAKE_ACTIONS) {
    admin.post<{ Params: { slug: string }; Body: { confirm?: unknown } | undefined }>(`/campaigns/:slug/${action}`, needs('editor'), async (request, reply) => {
      const { slug } = request.params;
      if (action === 'cancel' && request.body?.confirm !== 'yes') return campaignPage(request, reply, slug, 400, 'Tick the box to confirm the cancellation.');
      const result = await applyBrake(store, slug, action);
      if (!result.ok) return campaignPage(request, reply, slug, result.status, result.error);
      ctx.logger.info({ slug, action, operator: sessionOnly(identityOf(request)).email }, `campaign ${slug}: ${action} (console)`);
      // Post/redirect/get: reloading the page does not post again.
      return reply
        .code(303)
        .header('location', `/admin/campaigns/${encodeURIComponent(slug)}`)
        .send();
    });
  }
}
