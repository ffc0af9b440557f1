// The campaign-wide rate limit with several workers: three senders, each with its own PostgreSQL
// pool and SMTP connections, share one campaign limited to RATE msg/s. The server's arrival times
// show the limit held for the campaign as a whole (three per-process limits would allow 3x RATE).
// These are upper bounds on speed, the feature itself: a slow machine only makes them easier to meet.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { findIssue, loadIssues } from '../../src/content/load.js';
import { sendCampaign } from '../../src/delivery/campaign.js';
import { defaultBurst } from '../../src/delivery/shared-rate-limit.js';
import { createTransport } from '../../src/delivery/transport.js';
import { silentLogger } from '../../src/logging.js';
import { PostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { makeSite, SLUG } from '../delivery/harness.js';
import { postgresAvailable, SchemaPool } from '../storage/pg-harness.js';
import { startTestSmtpServer } from '../support/smtp-server.js';

const available = await postgresAvailable();
const schemas = new SchemaPool();
afterAll(async () => {
  if (available) await schemas.dropAll();
});

const RATE = 20;
const RECIPIENTS = 80;
const WORKERS = 3;

describe.skipIf(!available)('campaign-wide rate limit across workers (PostgreSQL)', () => {
  it(`holds ${RATE} msg/s for the whole campaign, not per worker`, async () => {
    const { dir, config } = makeSite();
    const url = schemas.url(schemas.next());
    const arrivals: number[] = [];
    const server = await startTestSmtpServer({
      data: () => {
        arrivals.push(performance.now());
        return null;
      },
    });
    const stores = Array.from({ length: WORKERS }, () => new PostgresStore(url, { max: 3 }));
    try {
      await stores[0]!.migrate();
      const emails = Array.from({ length: RECIPIENTS }, (_, i) => `rate${i}@example.org`);
      await stores[0]!.importSubscribers(emails.map((email) => ({ email })));
      Object.assign(config, { smtpUrl: server.url, databaseUrl: url });
      config.smtp = { ...config.smtp, maxConnections: 3, batchSize: 10, rateLimit: RATE };
      const { issues } = await loadIssues(config);
      const issue = findIssue(issues, SLUG)!;

      const logger = silentLogger();
      const runs = stores.map(async (store, i) => {
        const transport = createTransport(config, logger);
        try {
          return await sendCampaign({ store, transport, config, logger, workerId: `rate-w${i + 1}`, secret: config.secret! }, issue);
        } finally {
          await transport.close();
        }
      });
      const outcomes = await Promise.all(runs);

      // Exactly once, and every worker took part.
      expect(server.accepted()).toBe(RECIPIENTS);
      for (const e of emails) expect(server.countFor(e), e).toBe(1);
      expect(outcomes.reduce((n, o) => n + o.sentNow, 0)).toBe(RECIPIENTS);
      for (const o of outcomes) expect(o.sentNow).toBeGreaterThan(0);
      const campaign = (await stores[0]!.getCampaign(SLUG))!;
      const perWorker = await stores[0]!.workerStats(campaign.id);
      expect(perWorker.map((w) => w.workerId)).toEqual(['rate-w1', 'rate-w2', 'rate-w3']);
      expect(perWorker.map((w) => w.sent)).toEqual(outcomes.map((o) => o.sentNow));

      // The campaign as a whole kept to the rate: the bucket allows `burst` at once, then RATE/s.
      const burst = defaultBurst(RATE);
      const spanSeconds = (arrivals[arrivals.length - 1]! - arrivals[0]!) / 1000;
      // (0.5 s of slack: the first messages wait for their connection, so arrivals start late. Three
      // per-process limits would take (RECIPIENTS / (3 * RATE)) = 1.3 s.)
      expect(spanSeconds).toBeGreaterThanOrEqual((RECIPIENTS - burst) / RATE - 0.5);
      // Once the connections are open (from the 10th message on), no one-second window saw more than
      // a second's worth plus the burst (and a little for messages granted in one window that arrive
      // bunched up in the next). Before that, permits granted while connections open arrive together.
      let busiest = 0;
      for (let i = 10, j = 10; i < arrivals.length; i++) {
        while (arrivals[i]! - arrivals[j]! > 1000) j++;
        busiest = Math.max(busiest, i - j + 1);
      }
      expect(busiest, `busiest second: ${busiest}`).toBeLessThanOrEqual(RATE + burst + 2);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
