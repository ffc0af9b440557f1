// A renamed issue file (src/domain/renamed.ts): the worker, on a real SQLite store with a real
// loopback SMTP server, mails an issue once, and when its file is renamed (new slug, same date
// and title) does not mail it again under the new slug; it says why, once. An issue with the same
// date but another title is mailed as usual, and `send` of the renamed slug still can.
import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadIssues, findIssue } from '../../src/content/load.js';
import { Worker } from '../../src/worker/worker.js';
import { dateAfterStart, startHarness, writeIssue, type Harness } from '../server/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('renamed issue files', () => {
  it('are not mailed again automatically, are logged once, and can still be sent by hand', async () => {
    h = await startHarness();
    await h.store.importSubscribers([{ email: 'reader@example.org', status: 'active' as const }]);
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const worker = new Worker({ config: h.config, store: h.store, logger: pino({ level: 'warn' }, sink), runner: h.runner, watch: false });
    await worker.tick('first start');

    const date = await dateAfterStart();
    const first = await writeIssue(h.config, { slug: 'spring-issue', title: 'Spring issue', date });
    expect(await worker.tick('new issue')).toMatchObject({ ok: true, sent: ['spring-issue'] });
    expect(await h.store.getCampaign('spring-issue')).toMatchObject({ title: 'Spring issue', issueDate: date });

    await rm(first);
    await writeIssue(h.config, { slug: 'spring-issue-final', title: 'Spring issue', date });
    await writeIssue(h.config, { slug: 'same-day-other', title: 'Another issue', date });
    const tick = await worker.tick('renamed');
    expect(tick, tick.errors.join('; ')).toMatchObject({ ok: true, sent: ['same-day-other'] });
    expect(await h.store.getCampaign('spring-issue-final')).toBeNull();
    expect(h.smtp.countFor('reader@example.org')).toBe(2);
    expect(await worker.tick('again')).toMatchObject({ ok: true, sent: [] });
    const held = lines.filter((line) => line.includes('spring-issue-final'));
    expect(held).toHaveLength(1);
    expect(held[0]).toContain('has the date and title of campaign \\"spring-issue\\" (a renamed file?): not mailed automatically');

    // Explicit: the operator's send mails it.
    const issue = findIssue((await loadIssues(h.config)).issues, 'spring-issue-final')!;
    await h.runner.send(issue);
    expect(h.smtp.countFor('reader@example.org')).toBe(3);
  });
});
