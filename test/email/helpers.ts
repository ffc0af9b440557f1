import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, type Config } from '../../src/config/config.js';
import type { Issue } from '../../src/content/issue.js';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const SECRET = 'email-test-secret-0123456789';

export function emailConfig(): Config {
  const config = defaultConfig(REPO);
  config.site.title = 'SOFA 周报';
  config.site.url = 'https://news.example.org/';
  config.site.language = 'zh-CN';
  config.site.timeZone = 'Asia/Shanghai';
  config.dataDir = mkdtempSync(path.join(tmpdir(), 'pr-email-data-'));
  config.email = {
    ...config.email,
    fromName: 'SOFA 周报编辑部',
    fromAddress: 'weekly@news.example.org',
    replyTo: 'editors@news.example.org',
    postalAddress: 'SOFAStack, Hangzhou, China',
    listId: 'weekly.news.example.org',
    feedbackId: 'weekly:pressroom',
    unsubscribeMailto: 'unsubscribe@news.example.org',
    templatesDir: path.join(REPO, 'emails'),
  };
  return config;
}

export function makeIssue(over: Partial<Issue> = {}): Issue {
  return {
    slug: 'sofa-weekly-20221104',
    sourcePath: 'sofa-weekly-20221104.md',
    title: 'SOFA Weekly | 新的一期：Layotto 发布 & 社区动态',
    date: { iso: '2022-11-04T15:00:00+08:00', epochMs: Date.parse('2022-11-04T15:00:00+08:00'), offset: '+08:00' },
    description: '本周摘要：SOFARPC、Layotto 与社区会议',
    tags: ['SOFARPC', 'Layotto'],
    categories: ['SOFA Weekly'],
    cover: 'https://cdn.example.org/cover',
    authors: [{ name: 'SOFA 团队' }],
    draft: false,
    email: true,
    markdown: '',
    bodyLine: 1,
    removed: [],
    html:
      '<h2>本周推荐</h2><p>Hello <a href="https://example.org/x">the release notes</a> &amp; more.</p>' +
      '<ul><li>第一项</li><li>second item</li></ul>' +
      '<pre><code>const answer = 42;\nconsole.log(answer);</code></pre>' +
      '<table><thead><tr><th>项目</th><th>版本</th></tr></thead><tbody><tr><td>SOFARPC</td><td>5.9.0</td></tr></tbody></table>' +
      '<p><img src="https://cdn.example.org/wide.png" width="1200" alt="wide"></p>',
    url: 'https://news.example.org/issues/sofa-weekly-20221104/',
    extra: {},
    ...over,
  };
}

/** A copy of emails/ in a temp folder the test may break. */
export function copyTemplates(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pr-email-tpl-'));
  cpSync(path.join(REPO, 'emails'), path.join(dir, 'emails'), { recursive: true });
  return path.join(dir, 'emails');
}

export function dkimKey(): { privateKeyPath: string; dnsRecord: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = mkdtempSync(path.join(tmpdir(), 'pr-dkim-'));
  const privateKeyPath = path.join(dir, 'dkim.pem');
  writeFileSync(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return { privateKeyPath, dnsRecord: `v=DKIM1; k=rsa; p=${der}` };
}

/** A raw message without what differs between any two renders or passes by design: the MIME boundary and the Date header. */
export function stableMessage(raw: Buffer): string {
  const s = raw.toString('latin1');
  const boundary = /boundary="([^"]+)"/.exec(s)![1]!;
  return s
    .split(boundary)
    .join('<boundary>')
    .replace(/\r\nDate: [^\r]+/, '\r\nDate: <date>');
}
