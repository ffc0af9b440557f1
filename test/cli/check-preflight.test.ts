// `pressroom check` prints preflight warnings in the problem-line format (file:line: ...), keeps
// its exit status for them unless --strict, leaves them out with --no-preflight, and with --email
// renders the email to hold its HTML against Gmail's 102 KB clipping.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { openStore } from '../../src/storage/open.js';
import { execCliSync } from '../support/cli.js';
import { tempDir } from '../support/site.js';

const FRONT = '---\ntitle: "Issue"\ndate: 2024-05-01T09:00:00+08:00\ndescription: "A summary"\n---\n';

function site(issues: Record<string, string>): string {
  const dir = tempDir('pressroom-check-preflight-');
  mkdirSync(path.join(dir, 'issues'));
  writeFileSync(path.join(dir, 'pressroom.config.json'), JSON.stringify({ site: { url: 'https://news.example.org/' }, dataDir: path.join(dir, 'data') }));
  for (const [name, text] of Object.entries(issues)) writeFileSync(path.join(dir, 'issues', name), text);
  return dir;
}

const check = (dir: string, ...args: string[]) => execCliSync(['check', ...args], { cwd: dir, timeout: 120_000 });

describe('pressroom check: preflight', () => {
  const dir = site({
    'clean.md': `${FRONT}\nAll good, see [the archive](/).\n`,
    'rough.md': `${FRONT}\nIntro.\n\nThe date is TK.\n\n![](https://cdn.example.org/x.png)\n\n<iframe src="https://v.example.org/1"></iframe>\n`,
  });

  it('warns per issue with file and line, and exits 0', () => {
    const run = check(dir);
    expect(run.stderr.trim().split('\n')).toEqual([
      'warning: issues/rough.md:9: "TK" left in the text',
      'warning: issues/rough.md:11: image https://cdn.example.org/x.png has no alt text (![what it shows](...)): screen readers and mail clients that block images show nothing',
      'warning: issues/rough.md:13: an <iframe> element was removed: issues may not contain it (feeds, archive and email leave it out)',
    ]);
    expect(run.stdout).toBe('2 valid issues (2 published, 0 scheduled, 0 drafts), 0 problems, 3 preflight warnings\n');
    expect(run.status).toBe(0);
  });

  it('--strict fails on warnings (exit 1) and passes a clean folder (exit 0)', () => {
    const strict = check(dir, '--strict');
    expect(strict.stdout).toContain('0 problems, 3 preflight warnings (--strict: failed)');
    expect(strict.status).toBe(1);
    const clean = site({ 'clean.md': `${FRONT}\nAll good.\n` });
    expect(check(clean, '--strict')).toMatchObject({ status: 0, stderr: '', stdout: '1 valid issue (1 published, 0 scheduled, 0 drafts), 0 problems\n' });
  });

  it('--no-preflight validates only', () => {
    expect(check(dir, '--no-preflight', '--strict')).toMatchObject({ status: 0, stderr: '' });
  });

  it("--email renders each email and warns when its HTML is over Gmail's 102 KB", () => {
    const paragraph = `${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(20)}\n\n`;
    const big = site({ 'big.md': `${FRONT}\n${paragraph.repeat(120)}`, 'small.md': `${FRONT}\n${paragraph}` });
    const run = check(big, '--email');
    expect(run.stderr).toMatch(
      /^warning: issues\/big\.md: the email's HTML is \d+ KB; Gmail clips messages above 102 KB \("\[Message clipped\]"\), hiding the rest and the unsubscribe link\n$/,
    );
    expect(run.status).toBe(0);
    expect(check(big)).toMatchObject({ status: 0, stderr: '' }); // without --email, no MJML and no size rule
  });

  it("--campaigns reports a published issue whose slug is new but whose date and title are a campaign's (a renamed file)", async () => {
    const date = '2024-05-01T09:00:00+08:00';
    const renamed = site({ 'spring-final.md': `${FRONT}\nBody.\n`, 'other.md': FRONT.replace('"Issue"', '"Other"') + '\nBody.\n' });
    const config = defaultConfig(renamed);
    config.dataDir = path.join(renamed, 'data');
    const store = await openStore(config);
    try {
      await store.createCampaign({ slug: 'spring', title: 'Issue', topics: [], issueDate: date });
      await store.createCampaign({ slug: 'no-date', title: 'Other', topics: [] }); // older than the issue date: never matches
    } finally {
      await store.close();
    }
    const run = check(renamed, '--campaigns', '--strict');
    expect(run.stderr).toBe(
      'warning: issues/spring-final.md: slug: "spring-final" has the date and title of campaign "spring" (a renamed file?): not mailed automatically; ' +
        'set slug: spring in its front matter if it is that issue, or run pressroom send spring-final to mail it anyway\n',
    );
    expect(run.status).toBe(1);
    expect(check(renamed)).toMatchObject({ status: 0, stderr: '' }); // without --campaigns the store is not opened
  });
});
