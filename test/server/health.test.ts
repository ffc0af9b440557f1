// /metrics needs a token unless made public on purpose (its subscriber gauge moves when someone
// signs up, which would tell known addresses from new ones), and /healthz says ok or degraded
// without error text or server paths. Real server, real SQLite, real worker ticks.
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { writeLastTick } from '../../src/worker/state.js';
import { startHarness, type Harness, type HarnessOptions } from './harness.js';

const ADMIN = 'admin-token-for-health-tests';
const METRICS = 'metrics-token-for-health-tests';
let h: Harness | undefined;
const open = async (options: HarnessOptions) => (h = await startHarness({ rateLimit: { max: 1000, windowMs: 60_000 }, ...options }));
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const scrape = (hh: Harness, token?: string) => hh.server.app.inject({ method: 'GET', url: '/metrics', headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
const subscribe = (hh: Harness, email: string) => hh.server.app.inject({ method: 'POST', url: '/subscribe', payload: { email } });

describe('/metrics', () => {
  it('answers 401 without the metrics or admin token, and the figures with either', async () => {
    const hh = await open({ adminToken: ADMIN, configure: (c) => (c.metricsToken = METRICS) });
    for (const token of [undefined, 'wrong', `${METRICS}x`]) {
      const res = await scrape(hh, token);
      expect(res.statusCode, String(token)).toBe(401);
      expect(res.headers['www-authenticate']).toContain('Bearer');
      expect(res.body).not.toContain('pressroom_subscribers');
    }
    for (const token of [METRICS, ADMIN]) {
      const res = await scrape(hh, token);
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/^pressroom_subscribers\{status="pending"\} 0$/m);
    }
  });

  it('an anonymous scrape cannot tell a new address from a known one', async () => {
    const hh = await open({});
    await hh.store.addSubscriber({ email: 'known@example.org', status: 'pending' });
    const before = await scrape(hh);
    await subscribe(hh, 'known@example.org');
    const afterKnown = await scrape(hh);
    await subscribe(hh, 'new@example.org');
    const afterNew = await scrape(hh);
    // Without any token configured, /metrics is closed too (not open by default).
    expect([before.statusCode, afterKnown.statusCode, afterNew.statusCode]).toEqual([401, 401, 401]);
    expect(afterKnown.body).toBe(before.body);
    expect(afterNew.body).toBe(before.body);
  });

  it('is public only when configured so', async () => {
    const hh = await open({ configure: (c) => (c.metricsPublic = true) });
    const res = await scrape(hh);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('# TYPE pressroom_subscribers gauge');
  });
});

describe('/healthz', () => {
  it('says degraded, without error text or paths, when the last tick failed', async () => {
    const hh = await open({});
    await rm(hh.config.issuesDir, { recursive: true, force: true }); // every tick now fails reading issues
    const tick = await hh.newWorker().tick('test');
    expect(tick.ok).toBe(false);
    const res = await hh.server.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200); // the process is up
    expect(res.json()).toEqual({ status: 'degraded', lastTick: { at: expect.any(String), ok: false, problems: 0 } });
    expect(res.body).not.toContain(hh.root);
    expect(res.body).not.toContain('issues');
  });

  it('says degraded when the last tick reported problem files, ok otherwise', async () => {
    const hh = await open({});
    expect((await hh.server.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok', lastTick: null });
    await writeLastTick(hh.store, { at: Date.now(), ok: true, problems: 2 });
    expect((await hh.server.app.inject({ method: 'GET', url: '/healthz' })).json()).toMatchObject({ status: 'degraded', lastTick: { ok: true, problems: 2 } });
    const good = await hh.newWorker().tick('test');
    expect(good.ok).toBe(true);
    expect((await hh.server.app.inject({ method: 'GET', url: '/healthz' })).json()).toMatchObject({ status: 'ok', lastTick: { ok: true } });
  });

  it('answers 503 when the store does not answer', async () => {
    const hh = await open({});
    await hh.store.close();
    const res = await hh.server.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'error', error: 'store unavailable' });
  });
});
