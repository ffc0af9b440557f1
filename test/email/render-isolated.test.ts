// Rendering in a child process (what sendCampaign does) gives the same email as rendering here,
// and the same errors: the sender only composes the parts the child returns.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIssues, findIssue } from '../../src/content/load.js';
import { prepareIssueEmail } from '../../src/email/issue-email.js';
import type { Recipient } from '../../src/email/message.js';
import { prepareIssueEmailIsolated, renderIssuePartsInChild, startRenderProcess } from '../../src/email/render-isolated.js';
import { TemplateError } from '../../src/email/templates.js';
import { copyTemplates, dkimKey, emailConfig, makeIssue, REPO, SECRET, stableMessage } from './helpers.js';

const alice: Recipient = { id: 101, email: 'alice@example.com', name: '李爱丽 Alice' };

describe('prepareIssueEmailIsolated', () => {
  it('gives the same message as rendering in-process, for a Chinese corpus issue with DKIM', async () => {
    const config = emailConfig();
    config.issuesDir = path.resolve(REPO, '../shared/corpus/sofa-weekly');
    const issue = findIssue((await loadIssues(config)).issues, 'sofa-weekly-20200717')!;
    expect(issue).toBeDefined();
    const here = await prepareIssueEmail(config, issue, SECRET);
    const there = await prepareIssueEmailIsolated(config, issue, SECRET);
    expect(there.partsFor(alice)).toEqual(here.partsFor(alice));
    const a = here.messageFor(alice);
    const b = there.messageFor(alice);
    expect(b.messageId).toBe(a.messageId);
    expect(b.envelope).toEqual(a.envelope);
    expect(stableMessage(b.raw)).toBe(stableMessage(a.raw));
    expect(b.raw.length).toBeGreaterThan(20_000);

    const signed = emailConfig();
    signed.email.dkim = { domain: 'news.example.org', selector: 's', privateKeyPath: dkimKey().privateKeyPath };
    const s1 = (await prepareIssueEmail(signed, makeIssue(), SECRET)).messageFor(alice).raw.toString('latin1');
    const s2 = (await prepareIssueEmailIsolated(signed, makeIssue(), SECRET)).messageFor(alice).raw.toString('latin1');
    expect(s2).toMatch(/^DKIM-Signature: /);
    expect(/;\s*h=([^;]+);/.exec(s2)![1]).toBe(/;\s*h=([^;]+);/.exec(s1)![1]);
  });

  it('rethrows a template error from the render process as the same TemplateError and message', async () => {
    const dir = copyTemplates();
    const file = path.join(dir, 'issue.mjml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{{ title }}</mj-title>', '{{ titel }}</mj-title>'));
    const config = emailConfig();
    config.email.templatesDir = dir;
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => new Error('rendered without an error'),
        (e: unknown) => e as Error,
      );
    const here = await failure(prepareIssueEmail(config, makeIssue(), SECRET));
    const there = await failure(prepareIssueEmailIsolated(config, makeIssue(), SECRET));
    expect(here).toBeInstanceOf(TemplateError);
    expect(there).toBeInstanceOf(TemplateError);
    expect(there.message).toBe(here.message);
    expect(there.message).toMatch(/issue\.mjml:3: unknown template variable "titel"/);
  });

  it('reports a sender problem before rendering, as in-process', async () => {
    const config = emailConfig();
    config.email.dkim = { domain: 'news.example.org', selector: 's', privateKeyPath: path.join(REPO, 'no-such-key.pem') };
    await expect(prepareIssueEmailIsolated(config, makeIssue(), SECRET)).rejects.toThrow(/email\.dkim\.privateKeyPath: cannot read .*no-such-key\.pem \(ENOENT\)/);
  });
});

describe('startRenderProcess (what `pressroom send` starts before loading the issues)', () => {
  it('renders the first issue in the process started ahead, the same parts as a new process; a second render starts its own', async () => {
    const config = emailConfig();
    const ahead = startRenderProcess();
    try {
      // Each render draws its own random sentinels for the per-recipient values.
      const same = (parts: object) => JSON.stringify(parts).replace(/ZZPR[0-9A-F]{16}/g, 'ZZPR');
      const first = await ahead.render(config, makeIssue());
      const fresh = await renderIssuePartsInChild(config, makeIssue());
      expect(same(first)).toBe(same(fresh));
      expect(first.html).toContain('<html');
      expect(same(await ahead.render(config, makeIssue()))).toBe(same(fresh));
    } finally {
      ahead.dispose();
    }
  });

  it('a render process whose parent ends without using it exits quietly (no stack trace on the terminal)', () => {
    const child = spawnSync(process.execPath, [path.join(REPO, 'dist/email/render-child.js')], { input: '', encoding: 'utf8' });
    expect([child.status, child.stdout, child.stderr]).toEqual([0, '', '']);
  });
});
