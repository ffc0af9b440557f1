// Scheduling with a real store, real issue files and a real loopback SMTP server, on an injected
// clock: the worker mails an issue at its send_at (the web has it from its date), and an issue whose
// send time is longer ago than email.maxLatenessHours is not mailed by itself: one warning, the
// API says `too-late` and why, and an operator's send (the API here; the CLI in
// test/delivery/newcomers-cli.test.ts) still sends it.
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { isoFromNow, startHarness, writeIssue, type Harness, type HarnessOptions } from '../server/harness.js';

const HOUR = 3_600_000;
const TOKEN = 'operator-token-for-schedule-tests';
const auth = { authorization: `Bearer ${TOKEN}` };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A harness whose server and workers read `clock.now`, with its warnings kept as lines. */
async function scheduled(options: HarnessOptions = {}) {
  const clock = { now: Date.now() };
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  h = await startHarness({ adminToken: TOKEN, now: () => clock.now, logger: pino({ level: 'warn' }, sink), ...options });
  await h.store.importSubscribers(['a@example.org', 'b@example.org'].map((email) => ({ email, status: 'active' as const })));
  const worker = h.newWorker({ now: () => clock.now });
  await worker.tick('first start'); // sets the watermark at clock.now
  return { harness: h, clock, lines, worker };
}

async function apiIssue(harness: Harness, slug: string): Promise<{ status: string; reason: string | null; published: boolean; sendAt: string }> {
  const res = await harness.server.app.inject({ method: 'GET', url: '/api/issues', headers: auth });
  expect(res.statusCode).toBe(200);
  return res.json().issues.find((i: { slug: string }) => i.slug === slug);
}

describe('send_at', () => {
  it('publishes at the date and mails at send_at, not before', async () => {
    const { harness, clock, worker } = await scheduled();
    const sendAt = isoFromNow(3 * HOUR);
    await writeIssue(harness.config, { slug: 'later', date: isoFromNow(60_000), sendAt });

    clock.now += 2 * 60_000; // the date has come, send_at has not
    const published = await worker.tick('published');
    expect(published, published.errors.join('; ')).toMatchObject({ ok: true, built: true, sent: [] });
    expect(await readFile(path.join(harness.config.outDir, 'feed.xml'), 'utf8')).toContain('Issue later');
    expect(harness.smtp.accepted()).toBe(0);
    expect(await harness.store.getCampaign('later')).toBeNull();
    expect(await apiIssue(harness, 'later')).toMatchObject({ status: 'scheduled', published: true, sendAt, reason: `is emailed at ${sendAt}` });

    clock.now += 2 * HOUR; // still before send_at
    expect(await worker.tick('waiting')).toMatchObject({ sent: [] });
    expect(harness.smtp.accepted()).toBe(0);

    clock.now += 2 * HOUR; // send_at has come
    const due = await worker.tick('due');
    expect(due, due.errors.join('; ')).toMatchObject({ ok: true, sent: ['later'] });
    expect(harness.smtp.countFor('a@example.org')).toBe(1);
    expect(harness.smtp.countFor('b@example.org')).toBe(1);
    expect((await apiIssue(harness, 'later')).status).toBe('sent');
    expect(await worker.tick('again')).toMatchObject({ sent: [] });
    expect(harness.smtp.accepted()).toBe(2);
  });
});

describe('email.maxLatenessHours', () => {
  it('a send time further back than the limit is not mailed, is logged once, shows as too-late, and an operator still sends it', async () => {
    const { harness, clock, lines, worker } = await scheduled();
    await writeIssue(harness.config, { slug: 'stale', date: isoFromNow(60_000), sendAt: isoFromNow(120_000) });
    clock.now += 72 * HOUR; // the worker was down for three days

    expect(await worker.tick('back up')).toMatchObject({ ok: true, sent: [] });
    expect(await worker.tick('again')).toMatchObject({ ok: true, sent: [] });
    expect(harness.smtp.accepted()).toBe(0);
    expect(await harness.store.getCampaign('stale')).toBeNull();
    const warnings = lines.filter((line) => line.includes('was due to be emailed'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40, slug: 'stale' });
    expect(JSON.parse(warnings[0]!).msg).toMatch(/more than 48 hours ago \(email\.maxLatenessHours\); it is not mailed automatically: pressroom send stale sends it$/);

    const listed = await apiIssue(harness, 'stale');
    expect(listed.status).toBe('too-late');
    expect(listed.reason).toContain('pressroom send stale sends it');

    const send = await harness.server.app.inject({ method: 'POST', url: '/api/issues/stale/send?wait=1', headers: auth });
    expect(send.statusCode).toBe(200);
    expect(send.json().stats).toMatchObject({ sent: 2, finished: true });
    expect(harness.smtp.countFor('a@example.org')).toBe(1);
    expect((await apiIssue(harness, 'stale')).status).toBe('sent');
  });

  it('0 turns the limit off, and a send time within it is mailed', async () => {
    const { harness, clock, worker } = await scheduled({ configure: (config) => void (config.email.maxLatenessHours = 0) });
    await writeIssue(harness.config, { slug: 'very-late', date: isoFromNow(60_000) });
    clock.now += 30 * 24 * HOUR;
    expect(await worker.tick('a month later')).toMatchObject({ ok: true, sent: ['very-late'] });
    expect(harness.smtp.accepted()).toBe(2);
  });

  it('a send time within the limit is mailed after an outage', async () => {
    const { harness, clock, worker } = await scheduled();
    await writeIssue(harness.config, { slug: 'recent', date: isoFromNow(60_000) });
    clock.now += 47 * HOUR;
    expect(await worker.tick('back up')).toMatchObject({ ok: true, sent: ['recent'] });
    expect(harness.smtp.accepted()).toBe(2);
  });
});
