// Failed and retrying rows grouped by SMTP code and normalised response, held to the same
// assertions on both adapters (run by sqlite.test.ts and postgres.test.ts).
import { describe, expect, it } from 'vitest';
import type { Harness } from './store-contract.js';

const T0 = new Date('2026-05-01T00:00:00.000Z');
const NOW = T0.getTime();

export function errorsContract(name: string, harness: Harness): void {
  describe(`${name} campaign errors grouped by SMTP code and text`, () => {
    it('groups failed and retrying rows by code and normalised response, largest first; sent rows and other campaigns do not count', async () => {
      const { store } = await harness.fresh();
      await store.importSubscribers(
        Array.from({ length: 8 }, (_, i) => ({ email: `reader${i}@example.org` })),
        T0,
      );
      const id = (await store.createCampaign({ slug: 'issue-1', title: 'Issue 1', topics: [] }, T0)).campaign.id;
      const other = (await store.createCampaign({ slug: 'issue-2', title: 'Issue 2', topics: [] }, T0)).campaign.id;
      const rows = await store.claimBatch(id, 'w1', 8, 60_000, NOW);
      const [a, b, c, d, e, f, g] = rows.map((r) => r.subscriberId);
      const unknown = (to: string) => ({ smtpCode: 550, smtpResponse: `550 5.1.1 <${to}>: Recipient address rejected: User unknown`, bounced: false, temporary: false });
      await store.markFailed(id, a!, unknown('reader0@example.org'));
      await store.markFailed(id, b!, unknown('reader1@example.org'));
      await store.markFailed(id, c!, unknown('reader2@example.org'));
      await store.markRetry(id, d!, NOW + 60_000, { smtpCode: 451, smtpResponse: '451 4.7.1 Try again later (queue 3F2A9B1C0D)' });
      await store.markRetry(id, e!, NOW + 60_000, { smtpCode: 451, smtpResponse: '451 4.7.1 Try again later (queue 77AB12CD9E)' });
      await store.markFailed(id, f!, { smtpCode: 451, smtpResponse: '451 4.7.1 Try again later (queue 0000FFFF11)', bounced: false, temporary: true });
      await store.markFailed(id, g!, { smtpCode: null, smtpResponse: 'not sent: the subscriber left', bounced: false, temporary: false });
      await store.markSent(id, rows[7]!.subscriberId, { smtpCode: 250, smtpResponse: '250 2.0.0 Ok: queued as 12345' });
      const [x] = await store.claimBatch(other, 'w1', 1, 60_000, NOW);
      await store.markFailed(other, x!.subscriberId, { smtpCode: 554, smtpResponse: '554 5.7.1 Rejected', bounced: false, temporary: false });

      expect(await store.campaignErrors(id)).toEqual({
        groups: [
          { smtpCode: 451, response: '4.7.1 try again later (queue #)', failed: 1, retry: 2 },
          { smtpCode: 550, response: '5.1.1 <address>: recipient address rejected: user unknown', failed: 3, retry: 0 },
          { smtpCode: null, response: 'not sent: the subscriber left', failed: 1, retry: 0 },
        ],
        other: { failed: 0, retry: 0 },
      });
      expect(await store.campaignErrors(other)).toEqual({ groups: [{ smtpCode: 554, response: '5.7.1 rejected', failed: 1, retry: 0 }], other: { failed: 0, retry: 0 } });
      await store.close();
    });

    it('a campaign without failures has no groups', async () => {
      const { store } = await harness.fresh();
      await store.addSubscriber({ email: 'a@example.org' }, T0);
      const id = (await store.createCampaign({ slug: 'calm', title: 'Calm', topics: [] }, T0)).campaign.id;
      expect(await store.campaignErrors(id)).toEqual({ groups: [], other: { failed: 0, retry: 0 } });
      await store.close();
    });
  });
}
