// The Prometheus registry behind GET /metrics (text exposition format 0.0.4, through prom-client).
// Imported on the first scrape (metrics.ts): a server nobody scrapes never loads prom-client.
import { Counter, Gauge, Registry } from 'prom-client';
import { feedbackRates } from '../domain/feedback.js';
import type { StoreFigures } from './store-figures.js';

const RATE_WINDOW_MS = 60_000;

/** Messages per second over about the last minute, from (time, total sent) samples. */
class SendRate {
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

/** prom-client writes a blank line between metrics; the exposition we have always sent has none. */
const exposition = (text: string) => text.replace(/\n{2,}/g, '\n');

const finite = (value: number) => (Number.isFinite(value) ? value : 0);

/** One registry per server (no process-wide default metrics), every value collected from the store figures. */
function metricsRegistry(figures: () => Promise<StoreFigures>, now: () => number): Registry {
  const registry = new Registry();
  const rate = new SendRate();
  const registers = [registry];
  // A counter that mirrors a total kept in the store (prom-client counters only go up by inc()).
  const storeCounter = (name: string, help: string, value: (f: StoreFigures) => number) =>
    new Counter({
      name,
      help,
      registers,
      async collect() {
        const v = finite(value(await figures()));
        this.reset();
        this.inc(Math.max(0, v));
      },
    });
  const gauge = (name: string, help: string, set: (g: Gauge, f: StoreFigures) => void, labelNames: string[] = []) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        set(this, await figures());
      },
    });

  storeCounter('pressroom_messages_sent_total', 'Issue emails accepted by the SMTP server (or written to the outbox).', (f) => f.ledger.deliveries.sent);
  storeCounter('pressroom_messages_failed_total', 'Issue emails that failed for good.', (f) => f.ledger.deliveries.failed);
  storeCounter('pressroom_messages_bounced_total', 'Hard bounces: refused during the SMTP conversation or reported later (DSN, webhook).', (f) => f.ledger.deliveries.bounced);
  storeCounter('pressroom_messages_soft_bounced_total', 'Messages with at least one soft bounce reported.', (f) => f.ledger.deliveries.softBounced);
  storeCounter('pressroom_complaints_total', 'Messages whose recipient complained (ARF report, provider webhook).', (f) => f.ledger.deliveries.complained);
  gauge(
    'pressroom_campaign_messages',
    'Per campaign (the newest ten): messages sent, hard-bounced, soft-bounced and complained about.',
    (g, f) => {
      g.reset();
      for (const [campaign, c] of f.campaigns) {
        for (const [outcome, n] of [
          ['sent', c.sent],
          ['hard_bounce', c.bounced],
          ['soft_bounce', c.softBounced],
          ['complaint', c.complained],
        ] as const)
          g.set({ campaign, outcome }, finite(n));
      }
    },
    ['campaign', 'outcome'],
  );
  gauge(
    'pressroom_campaign_feedback_rate',
    'Per campaign (the newest ten): hard-bounce, soft-bounce and complaint rates, as fractions of the messages a server answered for.',
    (g, f) => {
      g.reset();
      for (const [campaign, c] of f.campaigns) {
        const r = feedbackRates(c);
        for (const [kind, x] of [
          ['hard_bounce', r.bounceRate],
          ['soft_bounce', r.softBounceRate],
          ['complaint', r.complaintRate],
        ] as const)
          g.set({ campaign, kind }, finite(x));
      }
    },
    ['campaign', 'kind'],
  );
  gauge(
    'pressroom_messages_queued',
    'Ledger rows waiting to be sent, by state.',
    (g, { ledger: { deliveries: d } }) => {
      for (const state of ['queued', 'retry', 'sending'] as const) g.set({ state }, finite(d[state]));
    },
    ['state'],
  );
  gauge('pressroom_send_rate', 'Messages sent per second over about the last minute, as seen by this process.', (g, f) =>
    g.set(Number(rate.record(now(), f.ledger.deliveries.sent).toFixed(3))),
  );
  gauge(
    'pressroom_campaigns',
    'Campaigns by state.',
    (g, { ledger: { campaigns } }) => {
      g.set({ state: 'unfinished' }, campaigns.unfinished);
      g.set({ state: 'finished' }, campaigns.finished);
    },
    ['state'],
  );
  gauge(
    'pressroom_subscribers',
    'Subscribers by status.',
    (g, f) => {
      for (const [status, n] of f.subscribers) g.set({ status }, finite(n));
    },
    ['status'],
  );
  gauge('pressroom_worker_last_tick_timestamp_seconds', 'When the last worker tick finished (0 = never).', (g, f) => g.set(f.lastTick ? f.lastTick.at / 1000 : 0));
  gauge('pressroom_worker_last_tick_success', '1 if the last worker tick succeeded.', (g, f) => g.set(f.lastTick?.ok ? 1 : 0));
  return registry;
}

/** The exposition text of every metric, and its content type; figures are read when this is called. */
export function metricsScraper(figures: () => Promise<StoreFigures>, now: () => number): () => Promise<{ text: string; contentType: string }> {
  const registry = metricsRegistry(figures, now);
  return async () => ({ text: exposition(await registry.metrics()), contentType: registry.contentType });
}
