// GET /healthz and GET /metrics (Prometheus text exposition format 0.0.4). Figures come from the
// store, so a `serve` process reports sends made by a separate `worker` process too.
// /healthz is public and says only ok/degraded; /metrics counts subscribers by status, which
// moves when someone signs up, so it needs a token unless the operator makes it public.
import type { FastifyInstance } from 'fastify';
import { SUBSCRIBER_STATUSES } from '../domain/subscriber-status.js';
import { readLastTick, type LastTick } from '../worker/state.js';
import { BEARER_CHALLENGE, hasBearer } from './auth.js';
import type { ServerContext } from './context.js';

const RATE_WINDOW_MS = 60_000;

/** Messages per second over about the last minute, from (time, total sent) samples. */
export class SendRate {
  private samples: Array<{ at: number; sent: number }> = [];

  record(at: number, sent: number): number {
    this.samples.push({ at, sent });
    // Keep one sample older than the window as the baseline.
    while (this.samples.length > 2 && this.samples[1]!.at <= at - RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (at - first.at) / 1000;
    return seconds > 0 ? Math.max(0, sent - first.sent) / seconds : 0;
  }
}

/** Degraded: the process is up, but the last tick failed or some issue files have problems. */
export function healthStatus(lastTick: LastTick | null): 'ok' | 'degraded' {
  return lastTick && (!lastTick.ok || (lastTick.problems ?? 0) > 0) ? 'degraded' : 'ok';
}

/** What /healthz shows of the last tick: when and whether, never error text (it names server paths). */
function publicTick(lastTick: LastTick | null) {
  if (!lastTick) return null;
  return { at: new Date(lastTick.at).toISOString(), ok: lastTick.ok, problems: lastTick.problems ?? 0 };
}

export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const rate = new SendRate();

  app.get('/healthz', async (_request, reply) => {
    try {
      await ctx.store.getSetting('health');
      const lastTick = await readLastTick(ctx.store);
      return reply.header('cache-control', 'no-store').send({ status: healthStatus(lastTick), lastTick: publicTick(lastTick) });
    } catch (err) {
      ctx.logger.error({ err }, 'health check failed');
      return reply.code(503).header('cache-control', 'no-store').send({ status: 'error', error: 'store unavailable' });
    }
  });

  app.get('/metrics', async (request, reply) => {
    const { metricsPublic, metricsToken, adminToken } = ctx.config;
    if (!metricsPublic && !hasBearer(request, [metricsToken, adminToken])) {
      const error = metricsToken || adminToken ? 'missing or wrong bearer token' : 'set metricsToken (PRESSROOM_METRICS_TOKEN) to scrape /metrics';
      return reply.code(401).header('www-authenticate', BEARER_CHALLENGE).header('cache-control', 'no-store').send({ error });
    }
    const totals = { queued: 0, sending: 0, sent: 0, retry: 0, failed: 0, bounced: 0 };
    const campaigns = await ctx.store.listCampaigns();
    let unfinished = 0;
    for (const campaign of campaigns) {
      const s = await ctx.store.campaignStats(campaign.id);
      totals.queued += s.queued;
      totals.sending += s.sending;
      totals.sent += s.sent;
      totals.retry += s.retry;
      totals.failed += s.failed;
      totals.bounced += s.bounced;
      if (!campaign.finishedAt) unfinished += 1;
    }
    const subscribers = await Promise.all(SUBSCRIBER_STATUSES.map(async (status) => [status, await ctx.store.countSubscribers(status)] as const));
    const lastTick = await readLastTick(ctx.store);
    const perSecond = rate.record(ctx.now(), totals.sent);

    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, values: Array<[string, number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of values) lines.push(`${name}${labels} ${Number.isFinite(value) ? value : 0}`);
    };
    metric('pressroom_messages_sent_total', 'counter', 'Issue emails accepted by the SMTP server (or written to the outbox).', [['', totals.sent]]);
    metric('pressroom_messages_failed_total', 'counter', 'Issue emails that failed for good.', [['', totals.failed]]);
    metric('pressroom_messages_bounced_total', 'counter', 'Failures that marked the subscriber bounced.', [['', totals.bounced]]);
    metric('pressroom_messages_queued', 'gauge', 'Ledger rows waiting to be sent, by state.', [
      ['{state="queued"}', totals.queued],
      ['{state="retry"}', totals.retry],
      ['{state="sending"}', totals.sending],
    ]);
    metric('pressroom_send_rate', 'gauge', 'Messages sent per second over about the last minute, as seen by this process.', [['', Number(perSecond.toFixed(3))]]);
    metric('pressroom_campaigns', 'gauge', 'Campaigns by state.', [
      ['{state="unfinished"}', unfinished],
      ['{state="finished"}', campaigns.length - unfinished],
    ]);
    metric(
      'pressroom_subscribers',
      'gauge',
      'Subscribers by status.',
      subscribers.map(([status, n]) => [`{status="${status}"}`, n]),
    );
    metric('pressroom_worker_last_tick_timestamp_seconds', 'gauge', 'When the last worker tick finished (0 = never).', [['', lastTick ? lastTick.at / 1000 : 0]]);
    metric('pressroom_worker_last_tick_success', 'gauge', '1 if the last worker tick succeeded.', [['', lastTick?.ok ? 1 : 0]]);
    return reply
      .header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(`${lines.join('\n')}\n`);
  });
}
