// Newcomers through the real pipeline: a finished campaign over a real loopback SMTP server and a
// real SQLite ledger; who joins after the snapshot is added (Store.addNewcomers) and sent by the
// same sendCampaign, and the ledger and the server agree recipient by recipient: one copy each.
import { afterEach, describe, expect, it } from 'vitest';
import { sendCampaign, type SendCampaignDeps } from '../../src/delivery/campaign.js';
import { createTransport } from '../../src/delivery/transport.js';
import { silentLogger } from '../../src/logging.js';
import { startTestSmtpServer } from '../support/smtp-server.js';
import { address, makeHarness, readLedger } from './harness.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('newcomers', () => {
  it('a finished campaign reopened for who joined since mails each of them once and nobody a second copy', async () => {
    const h = await makeHarness(20);
    cleanup.push(() => h.cleanup());
    const server = await startTestSmtpServer();
    cleanup.push(() => server.close());
    h.config.smtpUrl = server.url;
    h.config.smtp.maxConnections = 3;
    h.config.smtp.batchSize = 7;
    const transport = createTransport(h.config, silentLogger());
    cleanup.push(() => transport.close());
    const deps: SendCampaignDeps = { store: h.store, transport, config: h.config, logger: silentLogger(), workerId: 'test-worker', secret: h.config.secret! };

    const first = await sendCampaign(deps, h.issue);
    expect(first).toMatchObject({ finished: true, sentNow: 20, recipients: 20 });

    const late = Array.from({ length: 15 }, (_, i) => address(100 + i));
    await h.store.importSubscribers(late.map((email) => ({ email, status: 'active' as const })));
    const campaign = (await h.store.getCampaign(h.issue.slug))!;
    expect(await h.store.addNewcomers(campaign.id)).toBe(15);
    expect(await h.store.addNewcomers(campaign.id)).toBe(0);

    const second = await sendCampaign(deps, h.issue);
    expect(second).toMatchObject({ finished: true, alreadyFinished: false, sentNow: 15, sent: 35, recipients: 35 });
    const third = await sendCampaign(deps, h.issue);
    expect(third).toMatchObject({ alreadyFinished: true, sentNow: 0 });

    expect(server.duplicates()).toEqual([]);
    expect(server.accepted()).toBe(35);
    const ledger = await readLedger(h.config);
    expect(ledger.size).toBe(35);
    for (const email of [...h.emails, ...late]) {
      expect(ledger.get(email)?.state, email).toBe('sent');
      expect(server.countFor(email), email).toBe(1);
    }
  });
});
