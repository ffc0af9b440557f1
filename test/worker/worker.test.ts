// The worker against a real store, real issue files and a real loopback SMTP server: the
// back-catalogue watermark, edits after sending, ticks that never send twice, failing ticks,
// the cron schedule and the file watcher.
import { copyFile, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config.js';
import { readLastTick, readWatermark } from '../../src/worker/state.js';
import { checkSchedule, Worker } from '../../src/worker/worker.js';
import { HOSTILE_RECIPES } from '../support/hostile-recipes.js';
import { dateAfterStart, isoFromNow, startHarness, writeIssue, type Harness } from '../server/harness.js';
import { fixturesDir } from '../support/paths.js';
import { waitFor } from '../support/wait.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function subscribers(harness: Harness, n: number): Promise<string[]> {
  const emails = Array.from({ length: n }, (_, i) => `reader${i}@example.org`);
  await harness.store.importSubscribers(emails.map((email) => ({ email, status: 'active' as const })));
  return emails;
}

describe('back catalogue and first start', () => {
  it('builds the site, mails nothing dated before the first start, and mails what comes after once', async () => {
    h = await startHarness();
    const emails = await subscribers(h, 3);
    await writeIssue(h.config, { slug: 'back-1', date: isoFromNow(-30 * 86_400_000) });
    await writeIssue(h.config, { slug: 'back-2', date: isoFromNow(-2_000) });
    const worker = h.newWorker();

    const first = await worker.tick('test');
    expect(first).toMatchObject({ ok: true, built: true, sent: [] });
    const feed = await readFile(path.join(h.config.outDir, 'feed.xml'), 'utf8');
    expect(feed).toContain('Issue back-1');
    expect(feed).toContain('Issue back-2');
    expect(h.smtp.accepted()).toBe(0);
    expect(await h.store.listCampaigns()).toEqual([]);
    const watermark = await readWatermark(h.store);
    expect(watermark).not.toBeNull();

    // A restart keeps the first watermark.
    const restarted = h.newWorker();
    await restarted.tick('restart');
    expect(await readWatermark(h.store)).toBe(watermark);

    await writeIssue(h.config, { slug: 'new-1', date: await dateAfterStart() });
    const second = await restarted.tick('test');
    expect(second, second.errors.join('; ')).toMatchObject({ ok: true, built: true, sent: ['new-1'] });
    for (const email of emails) expect(h.smtp.countFor(email)).toBe(1);
    const [mail] = await h.mailFor(emails[0]!);
    expect(mail!.subject).toBe('Issue new-1');

    // Nothing changed: no rebuild, nothing sent.
    const third = await restarted.tick('test');
    expect(third).toMatchObject({ ok: true, built: false, sent: [] });
    expect(h.smtp.accepted()).toBe(3);
  });

  it('never re-sends an issue edited after it was sent, but updates the feeds', async () => {
    h = await startHarness();
    await subscribers(h, 2);
    const worker = h.newWorker();
    await worker.tick('first start');
    const file = await writeIssue(h.config, { slug: 'typo', title: 'Teh issue', date: await dateAfterStart() });
    await worker.tick('new issue');
    expect(h.smtp.accepted()).toBe(2);
    await writeFile(file, (await readFile(file, 'utf8')).replace('Teh issue', 'The issue'));
    const after = await worker.tick('edit');
    expect(after).toMatchObject({ built: true, sent: [] });
    expect(h.smtp.accepted()).toBe(2);
    expect(await readFile(path.join(h.config.outDir, 'feed.xml'), 'utf8')).toContain('The issue');
  });

  it('skips drafts, email: false and scheduled issues until they are due', async () => {
    let now = Date.now();
    h = await startHarness();
    await subscribers(h, 1);
    const worker = h.newWorker({ now: () => now });
    await worker.tick('first start');
    await writeIssue(h.config, { slug: 'draft', date: isoFromNow(0), draft: true });
    await writeIssue(h.config, { slug: 'quiet', date: isoFromNow(0), email: false });
    await writeIssue(h.config, { slug: 'later', date: isoFromNow(3_600_000) });
    expect(await worker.tick('t')).toMatchObject({ sent: [] });
    expect(h.smtp.accepted()).toBe(0);
    now += 2 * 3_600_000; // the scheduled issue's time has come
    expect(await worker.tick('t')).toMatchObject({ sent: ['later'] });
    expect(h.smtp.accepted()).toBe(1);
    expect(await h.store.getCampaign('draft')).toBeNull();
    expect(await h.store.getCampaign('quiet')).toBeNull();
  });
});

describe('no double sends', () => {
  it('two quick ticks, and two workers ticking at once, send each reader one copy', async () => {
    h = await startHarness();
    const emails = await subscribers(h, 40);
    const a = h.newWorker({ workerId: 'worker-a' });
    const b = h.newWorker({ workerId: 'worker-b' });
    await a.tick('first start');
    await writeIssue(h.config, { slug: 'race', date: await dateAfterStart() });
    const results = await Promise.all([a.tick('a1'), a.tick('a2'), b.tick('b1'), b.tick('b2')]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(h.smtp.duplicates()).toEqual([]);
    for (const email of emails) expect(h.smtp.countFor(email)).toBe(1);
    expect(h.smtp.accepted()).toBe(40);
    const stats = await h.store.campaignStats((await h.store.getCampaign('race'))!.id);
    expect(stats).toMatchObject({ sent: 40, queued: 0, sending: 0 });
    expect(stats.finishedAt).not.toBeNull();
    // And later ticks find nothing to do.
    await Promise.all([a.tick('again'), b.tick('again')]);
    expect(h.smtp.accepted()).toBe(40);
  });
});

describe('the brakes', () => {
  it('a paused campaign is neither sent by a tick nor pending; after resume the next tick sends it once', async () => {
    h = await startHarness();
    const emails = await subscribers(h, 5);
    const worker = h.newWorker();
    await worker.tick('first start');
    await writeIssue(h.config, { slug: 'held', date: await dateAfterStart() });
    const { campaign } = await h.store.createCampaign({ slug: 'held', title: 'Held', topics: [], transport: h.runner.transportIdentity });
    expect(await h.store.pauseCampaign(campaign.id, null)).toBe(true);
    const paused = await worker.tick('paused');
    expect(paused).toMatchObject({ ok: true, sent: [] });
    expect(await h.store.pendingCampaigns()).toEqual([]);
    expect(h.smtp.accepted()).toBe(0);

    expect(await h.store.resumeCampaign(campaign.id)).toBe(true);
    expect(await h.store.pendingCampaigns()).toEqual(['held']);
    const resumed = await worker.tick('resumed');
    expect(resumed, resumed.errors.join('; ')).toMatchObject({ ok: true, sent: ['held'] });
    for (const email of emails) expect(h.smtp.countFor(email)).toBe(1);
    expect((await h.store.getCampaign('held'))?.finishedAt).not.toBeNull();
  });
});

describe('failures', () => {
  it('a failing tick is logged and recorded, and the next one retries', async () => {
    h = await startHarness();
    await subscribers(h, 1);
    const worker = h.newWorker();
    await worker.tick('first start');
    await writeIssue(h.config, { slug: 'after-outage', date: await dateAfterStart() });
    const moved = `${h.config.issuesDir}.away`;
    await rename(h.config.issuesDir, moved);
    const failed = await worker.tick('outage');
    expect(failed.ok).toBe(false);
    expect(failed.errors[0]).toMatch(/^reading issues: .*cannot read the issues folder/);
    expect(await readLastTick(h.store)).toMatchObject({ ok: false });
    await rename(moved, h.config.issuesDir);
    const recovered = await worker.tick('recovered');
    expect(recovered).toMatchObject({ ok: true, sent: ['after-outage'] });
    expect(await readLastTick(h.store)).toMatchObject({ ok: true });
    expect(h.smtp.accepted()).toBe(1);
  });
});

describe('hostile issue files', () => {
  it('never fail the tick: the other issues are built and sent, and the tick records how many files were skipped', async () => {
    h = await startHarness();
    const emails = await subscribers(h, 2);
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const worker = new Worker({ config: h.config, store: h.store, logger: pino({ level: 'warn' }, sink), runner: h.runner, watch: false });
    await worker.tick('first start');
    await symlink(await writeIssue(h.config, { slug: 'linked', date: isoFromNow(-60_000) }), path.join(h.config.issuesDir, 'issue-link.md'));
    const hostile = ['issue-coffee-front-matter.md', 'issue-billion-laughs.md', 'issue-deep-quotes.md', 'issue-year-0050.md'];
    for (const name of hostile) await copyFile(path.join(fixturesDir, 'hostile', name), path.join(h.config.issuesDir, name));
    await writeFile(path.join(h.config.issuesDir, 'issue-nested-json.md'), HOSTILE_RECIPES['issue-nested-json.md']!());
    await writeIssue(h.config, { slug: 'beside-them', date: await dateAfterStart() });

    const tick = await worker.tick('hostile');
    expect(tick, tick.errors.join('; ')).toMatchObject({ ok: true, built: true, sent: ['beside-them'], problems: hostile.length + 1 });
    for (const email of emails) expect(h.smtp.countFor(email)).toBe(1);
    expect(await readFile(path.join(h.config.outDir, 'feed.xml'), 'utf8')).toContain('Issue beside-them');
    expect(await readLastTick(h.store)).toMatchObject({ ok: true, problems: hostile.length + 1 });

    // Nothing changed: no rebuild (the fingerprint never touches the alias bomb), still counted.
    expect(await worker.tick('again')).toMatchObject({ ok: true, built: false, sent: [], problems: hostile.length + 1 });
    // Each problem and the symlink warning are logged once, not on every tick.
    for (const name of [...hostile, 'issue-nested-json.md', 'issue-link.md'])
      expect(
        lines.filter((line) => line.includes(name)),
        name,
      ).toHaveLength(1);
    expect(lines.find((line) => line.includes('issue-link.md'))).toContain('is a symbolic link; skipped');
  });
});

describe('stranded campaigns', () => {
  it('says once that an unfinished campaign whose issue file is gone is not resumed', async () => {
    h = await startHarness();
    await subscribers(h, 1);
    const file = await writeIssue(h.config, { slug: 'gone', date: isoFromNow(-60_000) });
    await h.store.createCampaign({ slug: 'gone', title: 'Gone', topics: [] }); // enqueued, never sent
    await rm(file);
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const worker = new Worker({ config: h.config, store: h.store, logger: pino({ level: 'warn' }, sink), runner: h.runner, watch: false });
    await worker.tick('one');
    await worker.tick('two');
    const warnings = lines.filter((l) => l.includes('campaign gone is unfinished'));
    expect(warnings).toHaveLength(1);
    expect(h.smtp.accepted()).toBe(0);
  });
});

describe('schedule and watcher', () => {
  it('accepts 5 and 6 field expressions and names the field of a bad one', () => {
    expect(checkSchedule('*/5 * * * *')).toBe('*/5 * * * *');
    expect(checkSchedule('*/10 * * * * *')).toBe('*/10 * * * * *');
    expect(() => checkSchedule('every five minutes')).toThrow(ConfigError);
    expect(() => checkSchedule('61 * * * *')).toThrow(/^schedule: "61 \* \* \* \*" is not a cron expression/);
  });

  it('ticks on the cron schedule', async () => {
    h = await startHarness({ configure: (c) => (c.schedule = '*/1 * * * * *') });
    const worker = h.newWorker();
    await worker.start();
    const started = await readLastTick(h.store);
    await waitFor(async () => {
      const last = await readLastTick(h!.store);
      return last !== null && started !== null && last.at > started.at;
    });
    await worker.stop();
    expect((await readLastTick(h.store))!.ok).toBe(true);
  });

  it('picks up a new issue file through the watcher', async () => {
    h = await startHarness({ configure: (c) => (c.schedule = '0 0 1 1 *') }); // effectively never
    await subscribers(h, 2);
    const worker = h.newWorker({ watch: true });
    await worker.start();
    await writeIssue(h.config, { slug: 'watched', date: await dateAfterStart() });
    await waitFor(async () => h!.smtp.accepted() === 2);
    expect(h.smtp.duplicates()).toEqual([]);
    await worker.stop();
  });

  it('starts without the issues folder: one line each, no stack; watches the folder once a tick finds it', async () => {
    h = await startHarness({ configure: (c) => (c.schedule = '0 0 1 1 *') }); // effectively never
    await subscribers(h, 1);
    const away = `${h.config.issuesDir}.away`;
    await rename(h.config.issuesDir, away);
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const worker = new Worker({ config: h.config, store: h.store, logger: pino({ level: 'warn' }, sink), runner: h.runner, watch: true, watchDelayMs: 100 });
    const first = await worker.start();
    expect(first.ok).toBe(false);
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; err?: unknown });
    expect(logged.map((l) => l.msg)).toEqual([
      `${h.config.issuesDir}: no such folder; it is watched once a tick finds it`,
      `reading issues: ${h.config.issuesDir}: cannot read the issues folder (ENOENT)`,
    ]);
    expect(logged.filter((l) => l.err !== undefined)).toEqual([]);

    await rename(away, h.config.issuesDir);
    expect((await worker.tick('folder back')).ok).toBe(true);
    await writeIssue(h.config, { slug: 'watched-later', date: await dateAfterStart() });
    await waitFor(async () => h!.smtp.accepted() === 1); // the watcher's tick: the schedule never fires
    await worker.stop();
  });

  it('stopped while its first tick reads a folder that was missing at start, it leaves no watcher behind (the process can exit)', async () => {
    h = await startHarness({ configure: (c) => (c.schedule = '0 0 1 1 *') });
    const watchers = () => process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap').length;
    const before = watchers();
    const away = `${h.config.issuesDir}.away`;
    await rename(h.config.issuesDir, away);
    const worker = new Worker({ config: h.config, store: h.store, logger: pino({ level: 'silent' }), runner: h.runner, watch: true });
    await worker.start();
    await rename(away, h.config.issuesDir);
    const tick = worker.tick('folder back');
    await worker.stop(); // while the tick reads the folder
    await tick;
    expect(watchers()).toBe(before);
  });
});
