// `pressroom status --json` gives what the API gives for a campaign (GET /api/campaigns/:slug):
// the same object, field for field, read by another process from the same store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedbackPolicy } from '../../src/domain/feedback.js';
import { startHarness, type Harness } from '../server/harness.js';
import { execCli } from '../support/cli.js';

const TOKEN = 'operator-token-for-status';
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ adminToken: TOKEN });
  await h.store.importSubscribers(Array.from({ length: 8 }, (_, i) => ({ email: `s${i}@example.org` })));
  for (const slug of ['first-issue', 'second-issue']) {
    const { campaign } = await h.store.createCampaign({ slug, title: slug, topics: [] });
    const rows = await h.store.claimBatch(campaign.id, 'worker-a', 5, 60_000);
    await h.store.markSentMany(
      campaign.id,
      rows.map((r) => ({ subscriberId: r.subscriberId, smtpCode: 250, smtpResponse: '250 ok' })),
    );
    const target = { by: 'token' as const, campaignId: campaign.id, subscriberId: rows[0]!.subscriberId };
    await h.store.recordFeedback(
      { kind: 'complaint', target, source: 'smtp', eventId: `c-${slug}`, status: null, diagnostic: 'abuse', occurredAt: new Date() },
      feedbackPolicy(h.config),
    );
  }
});
afterAll(async () => {
  await h?.close();
});

const status = (args: string[]) => execCli(['status', ...args, '--json'], { env: { PRESSROOM_DATA_DIR: h.config.dataDir } });

describe('pressroom status --json', () => {
  it('prints for one campaign exactly what GET /api/campaigns/:slug answers', async () => {
    const api = await h.server.app.inject({ method: 'GET', url: '/api/campaigns/second-issue', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(api.statusCode).toBe(200);
    const run = await status(['second-issue']);
    expect(run.code, run.stderr).toBe(0);
    const cli = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(cli).toEqual(api.json());
    expect(cli).toMatchObject({
      slug: 'second-issue',
      // 7 recipients (who complained about the first issue is not one), 5 of them sent.
      stats: { sent: 5, queued: 2, failed: 0, complained: 1 },
      summary: { state: 'sending', sent: 5, complaints: 1, complaintRate: 0.2 },
      workers: [{ workerId: 'worker-a', sent: 5, sending: 0 }],
    });
  });

  it('prints every campaign as an array, newest first; an unknown slug is a usage error', async () => {
    const run = await status([]);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as Array<{ slug: string }>).map((c) => c.slug)).toEqual(['second-issue', 'first-issue']);
    const unknown = await status(['no-such']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/status: no campaign "no-such"/);
    expect(unknown.stdout).toBe('');
  });
});
