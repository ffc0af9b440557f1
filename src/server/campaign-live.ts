// A campaign's live report, and GET /api/campaigns/:slug/stream, which sends it as server-sent
// events about once a second until the campaign is finished (or cancelled), for the console's
// campaign page (templates/admin/campaign.liquid) and for scripts. Each `report` event is the JSON of
// liveReport; the last one is followed by an `end` event, and the server closes the stream.
import type { FastifyInstance } from 'fastify';
import { campaignPace, type PaceReading } from '../domain/campaign-pace.js';
import { campaignState } from '../domain/campaign-state.js';
import { storedCampaignReport } from '../storage/campaign-report.js';
import type { Campaign, CampaignStats, Store } from '../storage/store.js';
import type { ServerContext } from './context.js';

/** How often the stream reads the ledger (one grouped count per stream per tick). */
const STREAM_INTERVAL_MS = 1000;

/** Rows that have reached an end: what the pace counts. */
function doneRows(s: CampaignStats): number {
  return s.sent + s.failed + s.unknown + s.cancelled;
}

/** storedCampaignReport (what GET /api/campaigns/:slug answers), with what is waiting and the pace since `previous`. */
export async function liveReport(store: Store, campaign: Campaign, previous: PaceReading | null, now: number) {
  const report = await storedCampaignReport(store, campaign);
  const { stats } = report;
  const reading = { at: now, done: doneRows(stats) };
  const waiting = stats.queued + stats.sending + stats.retry;
  return { report: { ...report, waiting, pace: campaignPace(previous, reading, waiting) }, reading };
}

/** Whether nothing more will happen to the campaign by itself. */
function over(campaign: Campaign): boolean {
  const state = campaignState(campaign);
  return state === 'finished' || state === 'cancelled';
}

const streamSchema = {
  params: { type: 'object', required: ['slug'], properties: { slug: { type: 'string', minLength: 1 } } },
  response: {
    200: {
      description: 'server-sent events: `report` (the JSON of GET /api/campaigns/:slug with waiting, pace, workers, errors) about once a second, then `end`',
      content: { 'text/event-stream': { schema: { type: 'string' } } },
    },
    404: { type: 'object', properties: { error: { type: 'string' } } },
  },
} as const;

export function registerCampaignStream(api: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;
  const open = new Set<() => void>();
  // Open streams would keep app.close() waiting for their connections: end them first.
  api.addHook('preClose', async () => {
    for (const stop of open) stop();
  });

  api.get<{ Params: { slug: string } }>('/campaigns/:slug/stream', { schema: streamSchema }, async (request, reply) => {
    const first = await store.getCampaign(request.params.slug);
    if (!first) return reply.code(404).send({ error: `no campaign "${request.params.slug}"` });
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', connection: 'keep-alive' });
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      open.delete(stop);
      res.end();
    };
    open.add(stop);
    // The response closes when the client goes away (or when stop() ended it): no more readings.
    res.on('close', stop);
    let previous: PaceReading | null = null;
    const tick = async () => {
      try {
        const campaign = (await store.getCampaign(first.slug)) ?? first;
        const { report, reading } = await liveReport(store, campaign, previous, ctx.now());
        previous = reading;
        if (stopped) return;
        res.write(`event: report\ndata: ${JSON.stringify(report)}\n\n`);
        if (over(campaign)) {
          res.write('event: end\ndata: {}\n\n');
          return stop();
        }
        timer = setTimeout(tick, STREAM_INTERVAL_MS);
      } catch (err) {
        ctx.logger.error({ err, slug: first.slug }, 'campaign stream failed');
        stop();
      }
    };
    await tick();
  });
}
