import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { CONFIRM_TOKEN_TTL_MS, prepareSystemEmail } from '../../src/email/system-email.js';
import { verifyToken } from '../../src/email/tokens.js';
import { emailConfig, SECRET } from './helpers.js';

/** The text part with its line wrapping undone. */
const oneSpaced = (text: string | undefined) => (text ?? '').replace(/\s+/g, ' ');

const carol = { id: 77, email: 'carol@example.org', name: '王小明' };

describe('system emails', () => {
  it('confirm: subject from <mj-title>, a signed expiring confirm link, no unsubscribe headers', async () => {
    const before = Date.now();
    const prepared = await prepareSystemEmail(emailConfig(), 'confirm', SECRET);
    const m = prepared.messageFor(carol);
    const parsed = await simpleParser(m.raw);
    // A zh-CN site: the fixed strings come from the Simplified Chinese catalogue.
    expect(parsed.subject).toBe('确认订阅 SOFA 周报');
    expect(m.raw.toString('latin1')).toMatch(/^Subject: =\?UTF-8\?B\?/m);
    expect(m.envelope.to).toEqual(['carol@example.org']);
    expect(m.messageId).toMatch(/^<confirm\.77\.[A-Za-z0-9]+@news\.example\.org>$/);
    const links = [...(parsed.html as string).matchAll(/href="https:\/\/news\.example\.org\/confirm\?token=([^"]+)"/g)].map((x) => x[1]!);
    expect(links.length).toBeGreaterThanOrEqual(2); // button and the plain link
    expect(new Set(links).size).toBe(1);
    const token = links[0]!;
    expect(verifyToken(SECRET, token, 'confirm')).toEqual({ ok: true, subscriberId: 77 });
    expect(verifyToken(SECRET, token, 'unsubscribe').ok).toBe(false);
    expect(verifyToken(SECRET, token, 'confirm', before + CONFIRM_TOKEN_TTL_MS + 60_000)).toEqual({ ok: false, reason: 'expired' });
    expect(parsed.text).toContain(`确认订阅 [https://news.example.org/confirm?token=${token}]`);
    expect(oneSpaced(parsed.text)).toContain('有人（希望是你）请求用 carol@example.org 订阅 SOFA 周报。');
    expect(parsed.text).not.toMatch(/Confirm|subscription|Someone/);
    expect(parsed.headers.has('list-unsubscribe')).toBe(false);
    expect(parsed.headers.has('list-unsubscribe-post')).toBe(false);
    expect(parsed.html as string).not.toContain('unsubscribe?token=');
    expect(parsed.headerLines.find((h) => h.key === 'feedback-id')?.line).toBe('Feedback-ID: confirm:weekly:pressroom');
  });

  it('welcome: unsubscribe and preferences links, one-click headers', async () => {
    const prepared = await prepareSystemEmail(emailConfig(), 'welcome', SECRET);
    const parsed = await simpleParser(prepared.messageFor(carol).raw);
    expect(parsed.subject).toBe('欢迎订阅 SOFA 周报');
    const lu = parsed.headerLines.find((h) => h.key === 'list-unsubscribe')!.line;
    const token = /unsubscribe\?token=([^>]+)>/.exec(lu)![1]!;
    expect(verifyToken(SECRET, token, 'unsubscribe')).toEqual({ ok: true, subscriberId: 77 });
    expect(parsed.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const prefs = /preferences\?token=([\w.-]+)"/.exec(parsed.html as string)![1]!;
    expect(verifyToken(SECRET, prefs, 'preferences')).toEqual({ ok: true, subscriberId: 77 });
    expect(parsed.text).toContain('浏览往期 [https://news.example.org/]');
    expect(oneSpaced(parsed.text)).toContain('新的一期会发送到 carol@example.org。');
    expect(parsed.text).toMatch(/退订\s*\[https:\/\/news\.example\.org\/unsubscribe\?token=/);
    expect(parsed.text).not.toMatch(/Welcome|Unsubscribe \[|Preferences|Browse/);
  });

  it('an English site gets the English strings', async () => {
    const config = emailConfig();
    config.site.language = 'en';
    const parsed = await simpleParser((await prepareSystemEmail(config, 'confirm', SECRET)).messageFor(carol).raw);
    expect(parsed.subject).toBe('Confirm your subscription to SOFA 周报');
    expect(oneSpaced(parsed.text)).toContain('Someone (hopefully you) asked to subscribe carol@example.org to SOFA 周报.');
  });
});
