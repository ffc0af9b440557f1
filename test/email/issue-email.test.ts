import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import mjml2html from 'mjml';
import nodemailer from 'nodemailer';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import { loadIssues } from '../../src/content/load.js';
import { prepareIssueEmail } from '../../src/email/issue-email.js';
import type { Recipient } from '../../src/email/message.js';
import { verifyToken } from '../../src/email/tokens.js';
import { parseVerpAddress } from '../../src/email/verp.js';
import { copyTemplates, dkimKey, emailConfig, makeIssue, REPO, SECRET } from './helpers.js';

const CORPUS = path.resolve(REPO, '../shared/corpus/sofa-weekly');

const alice: Recipient = { id: 101, email: 'alice@example.com', name: '李爱丽 Alice' };
const bob: Recipient = { id: 2002, email: 'bob.smith@example.net', name: null };

async function render(over = {}, recipient: Recipient = alice, config = emailConfig()) {
  const prepared = await prepareIssueEmail(config, makeIssue(over), SECRET);
  const message = prepared.messageFor(recipient);
  return { prepared, message, raw: message.raw.toString('latin1'), parsed: await simpleParser(message.raw) };
}

function headerBlock(raw: string): string {
  return raw.slice(0, raw.indexOf('\r\n\r\n') + 2);
}

/** The https URL of List-Unsubscribe. */
function unsubscribeUrl(parsed: ParsedMail): string {
  const m = /<(https:[^>]+)>/.exec(header(parsed, 'list-unsubscribe'));
  if (!m) throw new Error('no https URL in List-Unsubscribe');
  return m[1]!;
}

function header(parsed: ParsedMail, name: string): string {
  const line = parsed.headerLines.find((h) => h.key === name);
  if (!line) throw new Error(`no ${name} header`);
  return line.line;
}

/** The per-recipient values of a parsed message. */
function messageValues(p: ParsedMail) {
  const lu = unsubscribeUrl(p);
  const token = lu.slice(lu.indexOf('token=') + 6);
  const prefs = /preferences\?token=([\w.-]+)/.exec(p.html as string)![1]!;
  const to = Array.isArray(p.to) ? p.to[0]! : p.to!;
  return { token, prefs, email: to.value[0]!.address!, messageId: p.messageId! };
}

/**
 * The raw message with per-recipient values replaced by placeholders: headers as they are on the
 * wire (To replaced as a whole), MIME part headers as they are, part contents decoded from their
 * transfer encoding (values can sit anywhere in a base64 stream).
 */
function withoutValues(raw: Buffer, values: Record<string, string>): string {
  const s = raw.toString('latin1');
  const split = s.indexOf('\r\n\r\n');
  const replaceAll = (x: string) => Object.entries(values).reduce((acc, [k, v]) => acc.split(v).join(`<${k}>`), x);
  const headers = replaceAll(s.slice(0, split).replace(/^To: .*(\r\n[ \t].*)*/m, 'To: <TO>'));
  const boundary = /boundary="([^"]+)"/.exec(headers)![1]!;
  const parts = s
    .slice(split + 4)
    .split(`--${boundary}`)
    .map((part) => {
      const end = part.indexOf('\r\n\r\n');
      if (end < 0) return part;
      const head = part.slice(0, end);
      const body = part.slice(end + 4);
      let decoded: string;
      if (/Content-Transfer-Encoding: base64/i.test(head)) decoded = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
      else if (/Content-Transfer-Encoding: quoted-printable/i.test(head)) {
        decoded = Buffer.from(
          body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8');
      } else decoded = body;
      return `${head}\r\n\r\n${replaceAll(decoded.replace(/\r?\n$/, ''))}`;
    });
  return `${headers}\r\n\r\n${parts.join(`--${boundary}`)}`;
}

describe('mjml 5 pitfalls', () => {
  it('mjml2html is async (returns a Promise that must be awaited)', async () => {
    const result = mjml2html('<mjml><mj-body><mj-section><mj-column><mj-text>hi</mj-text></mj-column></mj-section></mj-body></mjml>');
    expect(result).toBeInstanceOf(Promise);
    expect((await result).html).toContain('hi');
  });

  it('mj-include is ignored unless includes are enabled', async () => {
    const dir = copyTemplates();
    const src = '<mjml><mj-body><mj-include path="./partials/header.mjml" /></mj-body></mjml>';
    const off = await mjml2html(src, { filePath: dir });
    const on = await mjml2html(src, { filePath: dir, ignoreIncludes: false });
    expect(off.html).not.toContain('{{ site.title }}');
    expect(on.html).toContain('{{ site.title }}');
  });
});

describe('nodemailer pitfalls', () => {
  it("nodemailer's `list` option writes List-Unsubscribe but no List-Unsubscribe-Post (so Pressroom writes both itself)", async () => {
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
    const info = await transport.sendMail({
      from: 'a@example.org',
      to: 'b@example.org',
      subject: 's',
      text: 't',
      list: { unsubscribe: { url: 'https://example.org/unsubscribe?token=1', comment: 'Unsubscribe' } },
    });
    const head = (info.message as Buffer).toString('latin1').split('\r\n\r\n')[0]!;
    expect(head).toMatch(/^List-Unsubscribe: <https:\/\/example\.org\/unsubscribe\?token=1>/m);
    expect(head).not.toMatch(/^List-Unsubscribe-Post:/im);
    const { raw } = await render();
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
  });
});

describe('issue email message', () => {
  it('is a complete multipart/alternative message with the expected headers', async () => {
    const { raw, parsed, message } = await render();
    const issue = makeIssue();
    expect(parsed.subject).toBe(issue.title);
    expect(raw).toMatch(/^Subject: =\?UTF-8\?B\?/m);
    expect(parsed.from?.value[0]).toEqual({ address: 'weekly@news.example.org', name: 'SOFA 周报编辑部' });
    expect(raw).toMatch(/^From: =\?UTF-8\?B\?[^\r\n]+\?= <weekly@news\.example\.org>/m);
    const to = Array.isArray(parsed.to) ? parsed.to[0]! : parsed.to!;
    expect(to.value[0]).toEqual({ address: 'alice@example.com', name: '李爱丽 Alice' });
    expect(header(parsed, 'reply-to')).toBe('Reply-To: editors@news.example.org');
    expect(parsed.date).toBeInstanceOf(Date);
    expect(Math.abs(parsed.date!.getTime() - Date.now())).toBeLessThan(3_600_000);
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(header(parsed, 'mime-version')).toBe('MIME-Version: 1.0');
    expect(parsed.messageId).toBe(message.messageId);
    expect(message.messageId).toMatch(/^<sofa-weekly-20221104\.101\.[A-Za-z0-9]{12}@news\.example\.org>$/);
    expect(header(parsed, 'list-id')).toBe('List-Id: =?UTF-8?B?U09GQSDlkajmiqU=?= <weekly.news.example.org>');
    expect(header(parsed, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(header(parsed, 'feedback-id')).toBe('Feedback-ID: sofa-weekly-20221104:weekly:pressroom');
    expect(message.envelope).toEqual({ from: 'weekly@news.example.org', to: ['alice@example.com'] });

    // List-Unsubscribe: https URL with a token for this subscriber, then a mailto.
    const luRaw = header(parsed, 'list-unsubscribe');
    const m = /^List-Unsubscribe: <(https:\/\/news\.example\.org\/unsubscribe\?token=([^>]+))>,\r\n <mailto:unsubscribe@news\.example\.org\?subject=unsubscribe%20([^>]+)>$/.exec(
      luRaw,
    );
    expect(m, luRaw).not.toBeNull();
    expect(unsubscribeUrl(parsed)).toBe(m![1]);
    expect(verifyToken(SECRET, m![2]!, 'unsubscribe')).toEqual({ ok: true, subscriberId: 101 });
    expect(m![3]).toBe(m![2]);
    expect(m![2]).not.toContain('alice');

    // No line longer than 998; every header line but List-Unsubscribe (URLs cannot fold) within 78.
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    for (const line of headerBlock(raw).split('\r\n')) {
      if (!/^(List-Unsubscribe:| <mailto:)/.test(line)) expect(line.length, line).toBeLessThanOrEqual(78);
    }
    // Pure 7-bit on the wire, CRLF only.
    expect(/[^\x00-\x7f]/.test(raw)).toBe(false);
    expect(/[^\r]\n/.test(raw)).toBe(false);
  });

  it('has an HTML part with the issue, a hidden preheader, and working links', async () => {
    const { parsed } = await render();
    const html = parsed.html as string;
    const issue = makeIssue();
    expect(html).toContain('本周推荐');
    expect(html).toContain('<a href="https://example.org/x"');
    expect(html).toContain('SOFA Weekly | 新的一期：Layotto 发布 &amp; 社区动态');
    expect(html).toMatch(/<div style="display:none;[^"]*">本周摘要：SOFARPC、Layotto 与社区会议<\/div>/);
    expect(html).toContain(`href="${issue.url}"`); // read on the web
    expect(html).toContain('src="https://cdn.example.org/cover"');
    expect(html).toMatch(/<img src="https:\/\/cdn\.example\.org\/wide\.png" alt="wide" style="max-width:100%;height:auto;/);
    expect(html).not.toContain('width="1200"');
    expect(html).toMatch(/<pre style="white-space:pre-wrap;/);
    expect(html).toContain('<th style=');
    expect(html).toContain('SOFAStack, Hangzhou, China');
    expect(html).toContain('#SOFARPC');
    expect(html).not.toMatch(/<link\b|@import|fonts\.googleapis/);
    expect(html).not.toMatch(/ZZPR[0-9A-F]{16}/); // no sentinel left behind
    const unsub = /href="(https:\/\/news\.example\.org\/unsubscribe\?token=[^"]+)"/.exec(html);
    const prefs = /href="https:\/\/news\.example\.org\/preferences\?token=([^"]+)"/.exec(html);
    expect(unsub?.[1]).toBe(unsubscribeUrl(parsed));
    expect(verifyToken(SECRET, prefs![1]!, 'preferences')).toEqual({ ok: true, subscriberId: 101 });
    expect(html).toContain('alice@example.com');
  });

  it('has a real plain-text part (links as text [url], no preheader, no markup)', async () => {
    const { parsed } = await render();
    const text = parsed.text!;
    expect(text).toContain('the release notes [https://example.org/x]');
    expect(text).toContain('本周推荐');
    expect(text).toContain(' * 第一项');
    expect(text).toContain('const answer = 42;');
    // A zh-CN site: the button and footer from the Simplified Chinese catalogue.
    expect(text).toMatch(/在网页上阅读 \[https:\/\/news\.example\.org\/issues\/sofa-weekly-20221104\/\]/);
    expect(text.replace(/\s+/g, ' ')).toContain('你收到这封邮件，是因为 alice@example.com 订阅了 SOFA 周报');
    expect(text).not.toMatch(/Read on the web|You receive this email/);
    expect(text).toMatch(/退订\s*\[https:\/\/news\.example\.org\/unsubscribe\?token=[\w.-]+\]/);
    expect(text).toContain('alice@example.com');
    expect(text).not.toContain('本周摘要');
    expect(text).not.toMatch(/<[a-z]/i);
    expect(text).not.toMatch(/ZZPR/);
  });

  it('differs between two subscribers only in the per-subscriber values', async () => {
    const config = emailConfig();
    const prepared = await prepareIssueEmail(config, makeIssue(), SECRET);
    const a = prepared.messageFor(alice);
    const b = prepared.messageFor(bob);
    const pa = await simpleParser(a.raw);
    const pb = await simpleParser(b.raw);

    const va = messageValues(pa);
    const vb = messageValues(pb);
    for (const k of Object.keys(va) as (keyof typeof va)[]) expect(va[k]).not.toBe(vb[k]);

    // Remove the per-recipient values from the raw messages and compare what is left: the header
    // block byte for byte, and each MIME part (part headers byte for byte, content decoded).
    const sa = withoutValues(a.raw, va);
    const sb = withoutValues(b.raw, vb);
    for (const k of ['token', 'prefs', 'email', 'messageId']) expect(sa).toContain(`<${k}>`);
    expect(sa).toBe(sb);
  });

  it('differs only in per-subscriber values for a Chinese corpus issue too (base64 parts)', async () => {
    const config = emailConfig();
    config.issuesDir = CORPUS;
    const { issues } = await loadIssues(config);
    const issue = issues.find((i) => i.slug === 'sofa-weekly-20200313')!;
    const prepared = await prepareIssueEmail(config, issue, SECRET);
    const messages = [alice, bob, { id: 123456789, email: 'x@y.example', name: 'Ünïcode Näme' }].map((r) => prepared.messageFor(r));
    const raws = messages.map((m) => m.raw.toString('latin1'));
    expect(raws[0]).toMatch(/Content-Type: text\/html; charset=utf-8\r\nContent-Transfer-Encoding: base64/);
    expect(raws[0]).toMatch(/Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64/);
    const stripped: string[] = [];
    for (const m of messages) {
      const p = await simpleParser(m.raw);
      const v = messageValues(p);
      expect(p.html).toContain('SOFAChannel');
      expect(p.text).toContain(v.email);
      stripped.push(withoutValues(m.raw, v));
    }
    expect(stripped[1]).toBe(stripped[0]);
    expect(stripped[2]).toBe(stripped[0]);
  });

  it('keeps Message-ID stable for (issue, subscriber) across renders', async () => {
    const config = emailConfig();
    const first = (await prepareIssueEmail(config, makeIssue(), SECRET)).messageFor(alice);
    const again = (await prepareIssueEmail(config, makeIssue(), SECRET)).messageFor(alice);
    const other = (await prepareIssueEmail(config, makeIssue({ slug: 'other-issue' }), SECRET)).messageFor(alice);
    expect(again.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
  });

  it('escapes values in the HTML by default', async () => {
    const { parsed } = await render({ title: 'Tom & Jerry <b>bold</b>', description: '<i>x</i> & y' });
    const html = parsed.html as string;
    expect(html).toContain('Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt;');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;i&gt;x&lt;/i&gt; &amp; y');
    expect(parsed.subject).toBe('Tom & Jerry <b>bold</b>');
  });

  it('uses the configured subject pattern', async () => {
    const config = emailConfig();
    config.email.subject = '[{{ site.title }}] {{ title }} ({{ date_iso | slice: 0, 10 }})';
    const { parsed } = await render({}, alice, config);
    expect(parsed.subject).toBe(`[SOFA 周报] ${makeIssue().title} (2022-11-04)`);
  });
});

describe('bad input', () => {
  it('cannot inject headers through the title', async () => {
    const { raw, parsed } = await render({ title: 'x\r\nBcc: x@y' });
    expect(raw).not.toMatch(/^Bcc:/im);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.subject).toBe('x Bcc: x@y');
  });

  it('cannot inject headers through a name, and refuses CR/LF in an address', async () => {
    const prepared = await prepareIssueEmail(emailConfig(), makeIssue(), SECRET);
    const m = prepared.messageFor({ id: 5, email: 'eve@example.com', name: 'Eve\r\nBcc: victim@example.com' });
    const parsed = await simpleParser(m.raw);
    expect(m.raw.toString('latin1')).not.toMatch(/^Bcc:/im);
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(() => prepared.messageFor({ id: 6, email: 'eve@example.com\r\nBcc: victim@example.com', name: null })).toThrow(
      /recipient 6: .* is not a valid email address \(contains a line break\)/,
    );
    expect(() => prepared.messageFor({ id: 7, email: 'not an address', name: null })).toThrow(/recipient 7: "not an address" is not a valid email address/);
    const config = emailConfig();
    config.email.fromAddress = 'a@b.org\nBcc: c@d.org';
    await expect(prepareIssueEmail(config, makeIssue(), SECRET)).rejects.toThrow(/email\.fromAddress: .* is not a valid email address \(contains a line break\)/);
  });

  it('never evaluates Liquid written in issue content or metadata', async () => {
    const { parsed } = await render({
      title: '{{ site.title }} {% raw %}',
      description: '{% if true %}yes{% endif %}',
      html: '<p>{{ unsubscribe_url }} and {% for x in tags %}{{ x }}{% endfor %}</p>',
    });
    const html = parsed.html as string;
    expect(html).toContain('<p style="margin:0 0 16px;">{{ unsubscribe_url }} and {% for x in tags %}{{ x }}{% endfor %}</p>');
    expect(html).toContain('{% if true %}yes{% endif %}');
    expect(parsed.subject).toBe('{{ site.title }} {% raw %}');
  });

  it('drops <script> and event handlers from the issue HTML', async () => {
    const { parsed } = await render({
      html: '<p onclick="steal()">safe text</p><script>alert("x")</script><iframe src="https://evil.example/"></iframe><a href="javascript:alert(1)">js</a>',
    });
    const html = parsed.html as string;
    expect(html).toContain('safe text');
    expect(html).not.toMatch(/<script|onclick|<iframe|javascript:/i);
    expect(parsed.text).not.toContain('alert');
  });

  it('fails with the template file and line on an MJML error, before any recipient', async () => {
    const dir = copyTemplates();
    const file = path.join(dir, 'issue.mjml');
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('<mj-button'));
    lines[at] = lines[at]!.replace('<mj-button', '<mj-buton').replace('</mj-button>', '</mj-buton>');
    writeFileSync(file, lines.join('\n'));
    const config = emailConfig();
    config.email.templatesDir = dir;
    const err = await prepareIssueEmail(config, makeIssue(), SECRET).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(new RegExp(`issue\\.mjml:${at + 1}: MJML: Element mj-buton doesn't exist`));
  });

  it('reports an error inside a partial with the partial file and line', async () => {
    const dir = copyTemplates();
    writeFileSync(path.join(dir, 'partials', 'footer.mjml'), '<mj-section>\n  <mj-column>\n    <mj-txt>x</mj-txt>\n  </mj-column>\n</mj-section>\n');
    const config = emailConfig();
    config.email.templatesDir = dir;
    await expect(prepareIssueEmail(config, makeIssue(), SECRET)).rejects.toThrow(/partials\/footer\.mjml:3: MJML: Element mj-txt/);
  });

  it('refuses an mj-include that escapes the templates folder', async () => {
    const dir = copyTemplates();
    writeFileSync(path.join(dir, '..', 'outside.mjml'), '<mj-section><mj-column><mj-text>LEAKED</mj-text></mj-column></mj-section>');
    const file = path.join(dir, 'issue.mjml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('<mj-include path="./partials/footer.mjml" />', '<mj-include path="../outside.mjml" />'));
    const config = emailConfig();
    config.email.templatesDir = dir;
    await expect(prepareIssueEmail(config, makeIssue(), SECRET)).rejects.toThrow(/issue\.mjml:\d+: mj-include "\.\.\/outside\.mjml" points outside the templates folder/);
    // MJML itself refuses it too when asked to compile such a file directly.
    const direct = await mjml2html(readFileSync(file, 'utf8'), { filePath: file, ignoreIncludes: false, includePath: dir });
    expect(direct.html).not.toContain('LEAKED');
  });

  it('names unknown template variables and misuse of per-subscriber ones', async () => {
    const dir = copyTemplates();
    const file = path.join(dir, 'issue.mjml');
    const original = readFileSync(file, 'utf8');
    const config = emailConfig();
    config.email.templatesDir = dir;
    writeFileSync(file, original.replace('{{ title }}</mj-title>', '{{ titel }}</mj-title>'));
    await expect(prepareIssueEmail(config, makeIssue(), SECRET)).rejects.toThrow(/issue\.mjml:3: unknown template variable "titel"/);
    writeFileSync(file, original.replace('{{ title }}</mj-title>', '{{ name | upcase }}</mj-title>'));
    await expect(prepareIssueEmail(config, makeIssue(), SECRET)).rejects.toThrow(/issue\.mjml:3: per-subscriber variable "name" can only be printed/);
    writeFileSync(file, original.replace('{{ title }}</mj-title>', '{% if title %}x{% endiff %}</mj-title>'));
    await expect(prepareIssueEmail(config, makeIssue(), SECRET)).rejects.toThrow(/issue\.mjml: .*line:3/);
  });
});

describe('DKIM', () => {
  it('with email.bounceAddress, a campaign copy leaves from its VERP address with signed CFBL headers; a test copy does not', async () => {
    const key = dkimKey();
    const config = emailConfig();
    config.email.dkim = { domain: 'news.example.org', selector: 'pr2026', privateKeyPath: key.privateKeyPath };
    config.email.bounceAddress = 'bounces@news.example.org';
    const prepared = await prepareIssueEmail(config, makeIssue(), SECRET);
    const resolver = async (name: string, type: string) => {
      if (name === 'pr2026._domainkey.news.example.org' && type === 'TXT') return [[key.dnsRecord]];
      throw Object.assign(new Error(`no ${type} ${name}`), { code: 'ENOTFOUND' });
    };
    const m = prepared.messageFor({ ...alice, campaignId: 7 });
    expect(parseVerpAddress(m.envelope.from, 'bounces@news.example.org', SECRET)).toEqual({ ok: true, campaignId: 7, subscriberId: alice.id });
    const head = m.raw.toString('latin1').split('\r\n\r\n')[0]!;
    expect(head).toMatch(/\r\nCFBL-Address: bounces@news\.example\.org; report=arf\r\n/);
    const feedbackId = /\r\nCFBL-Feedback-ID: (\S+)\r\n/.exec(head)![1]!;
    expect(m.envelope.from).toBe(`bounces+${feedbackId}@news.example.org`);
    const result = await dkimVerify(m.raw, { resolver });
    expect(result.results[0]!.status.result).toBe('pass');
    const signed = (result.results[0]!.signingHeaders.keys as string).toLowerCase().split(': ').join(':').split(':');
    expect(signed).toEqual(expect.arrayContaining(['cfbl-address', 'cfbl-feedback-id']));
    const tampered = Buffer.from(m.raw.toString('latin1').replace(`CFBL-Feedback-ID: ${feedbackId}`, `CFBL-Feedback-ID: x${feedbackId.slice(1)}`), 'latin1');
    expect((await dkimVerify(tampered, { resolver })).results[0]!.status.result).not.toBe('pass');

    // A test copy, or one outside a campaign, keeps the plain sender and no feedback headers.
    for (const plain of [prepared.messageFor({ ...alice, test: true, campaignId: 7 }), prepared.messageFor(alice)]) {
      expect(plain.envelope.from).toBe(config.email.fromAddress);
      expect(plain.raw.toString('latin1')).not.toMatch(/CFBL-/);
    }
  });

  it('signs each message so that mailauth verifies it, covering both List-Unsubscribe headers', async () => {
    const key = dkimKey();
    const config = emailConfig();
    config.email.dkim = { domain: 'news.example.org', selector: 'pr2026', privateKeyPath: key.privateKeyPath };
    config.issuesDir = CORPUS;
    const corpusIssue = (await loadIssues(config)).issues.find((i) => i.slug === 'sofa-weekly-20200313')!;
    const prepared = await prepareIssueEmail(config, makeIssue(), SECRET);
    const preparedCorpus = await prepareIssueEmail(config, corpusIssue, SECRET);
    const resolver = async (name: string, type: string) => {
      if (name === 'pr2026._domainkey.news.example.org' && type === 'TXT') return [[key.dnsRecord]];
      const err = new Error(`no ${type} ${name}`) as NodeJS.ErrnoException;
      err.code = 'ENOTFOUND';
      throw err;
    };
    for (const [p, r] of [
      [prepared, alice],
      [prepared, bob],
      [preparedCorpus, alice],
      [preparedCorpus, bob],
    ] as const) {
      const m = p.messageFor(r);
      expect(m.raw.toString('latin1')).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=news\.example\.org;/);
      const result = await dkimVerify(m.raw, { resolver });
      expect(result.results).toHaveLength(1);
      const r0 = result.results[0]!;
      expect(r0.status.result, JSON.stringify(r0.status)).toBe('pass');
      expect(r0.signingDomain).toBe('news.example.org');
      const signed = (r0.signingHeaders.keys as string).toLowerCase().split(': ').join(':').split(':');
      expect(signed).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']));
    }
    // A changed unsubscribe URL breaks the signature (it is really covered).
    const tampered = Buffer.from(prepared.messageFor(alice).raw.toString('latin1').replace('unsubscribe?token=', 'unsubscribe?token=x'), 'latin1');
    const bad = await dkimVerify(tampered, { resolver });
    expect(bad.results[0]!.status.result).not.toBe('pass');
  });

  it('fails clearly when the key file is missing', async () => {
    const config = emailConfig();
    config.email.dkim = { domain: 'news.example.org', selector: 's', privateKeyPath: path.join(mkdtempSync(path.join(tmpdir(), 'x-')), 'missing.pem') };
    await expect(prepareIssueEmail(config, makeIssue(), SECRET)).rejects.toThrow(/email\.dkim\.privateKeyPath: cannot read .*missing\.pem \(ENOENT\)/);
  });
});
