// The brakes through the operator API: POST /api/campaigns/:slug/pause|resume|cancel with the admin
// token, 404 for an unknown campaign, 409 when the action does not apply; the campaign JSON carries
// its state, feedback counts and rates (the figures `pressroom status` prints).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoFromNow, startHarness, writeIssue, type Harness } from './harness.js';

const TOKEN = 'operator-token-for-brakes';
const auth = { authorization: `Bearer ${TOKEN}` };
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ adminToken: TOKEN });
  await h.store.importSubscribers(Array.from({ length: 10 }, (_, i) => ({ email: `b${i}@example.org` })));
});
afterAll(async () => {
  await h?.close();
});

const post = (url: string, headers: Record<string, string> = auth) => h.server.app.inject({ method: 'POST', url, headers });

describe('the brakes over the API', () => {
  it('pause, resume and cancel answer with the campaign; 409 when they do not apply; 404 unknown; 401 without the token', async () => {
    const { campaign } = await h.store.createCampaign({ slug: 'brake-me', title: 'Brake me', topics: [] });
    expect((await post('/api/campaigns/brake-me/pause', {})).statusCode).toBe(401);
    expect((await post('/api/campaigns/no-such/pause')).statusCode).toBe(404);
    expect((await post('/api/campaigns/no-such/cancel')).json()).toEqual({ error: 'no campaign "no-such"' });

    const paused = await post('/api/campaigns/brake-me/pause');
    expect(paused.statusCode).toBe(200);
    await writeIssue(h.config, { slug: 'brake-me', date: isoFromNow(-60_000) });
    const send = await post('/api/issues/brake-me/send');
    expect(send.statusCode).toBe(409);
    expect(send.json()).toEqual({ error: 'campaign brake-me is paused; POST /api/campaigns/brake-me/resume continues it' });
    expect(h.smtp.accepted()).toBe(0);
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ slug: 'brake-me', pausedAt: expect.any(String), summary: { state: 'paused', pauseReason: null, sent: 0 } });
    const again = await post('/api/campaigns/brake-me/pause');
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatch(/^campaign brake-me is already paused \(since /);

    const resumed = await post('/api/campaigns/brake-me/resume');
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json()).toMatchObject({ pausedAt: null, summary: { state: 'queued' } });
    expect((await post('/api/campaigns/brake-me/resume')).json()).toEqual({ error: 'campaign brake-me is not paused' });

    // Two rows answered (one sent, one refused as unknown), the other eight never sent.
    const rows = await h.store.claimBatch(campaign.id, 'api-test', 2, 60_000);
    await h.store.markSent(campaign.id, rows[0]!.subscriberId, { smtpCode: 250, smtpResponse: '250 ok' });
    await h.store.markFailed(campaign.id, rows[1]!.subscriberId, { smtpCode: 550, smtpResponse: '550 5.1.1 unknown', bounced: true, temporary: false });
    const cancelled = await post('/api/campaigns/brake-me/cancel');
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({
      cancelledAt: expect.any(String),
      finishedAt: expect.any(String),
      stats: { sent: 1, failed: 1, cancelled: 8, queued: 0, attempted: 2 },
      summary: { state: 'cancelled', sent: 1, hardBounces: 1, bounceRate: 0.5, softBounces: 0, complaints: 0, complaintRate: 0, cancelled: 8 },
    });
    for (const action of ['pause', 'resume', 'cancel']) {
      const late = await post(`/api/campaigns/brake-me/${action}`);
      expect(late.statusCode).toBe(409);
      expect(late.json().error).toMatch(new RegExp(`^campaign brake-me is cancelled \\(at .+\\); nothing to ${action}$`));
    }
    const shown = await h.server.app.inject({ method: 'GET', url: '/api/campaigns/brake-me', headers: auth });
    // GET also says what each worker sent (what `pressroom status --json` prints) and the errors grouped by SMTP answer.
    expect(shown.json()).toEqual({
      ...cancelled.json(),
      workers: [{ workerId: 'api-test', sent: 1, sending: 0 }],
      errors: { groups: [{ smtpCode: 550, response: '5.1.1 unknown', failed: 1, retry: 0 }], other: { failed: 0, retry: 0 } },
    });
  });
});
