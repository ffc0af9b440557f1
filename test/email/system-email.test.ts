import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { CONFIRM_TOKEN_TTL_MS, prepareSystemEmail } from '../../src/email/system-email.js';
import { verifyToken } from '../../src/email/tokens.js';
import { emailConfig, SECRET } from './helpers.js';

const carol = { id: 77, email: 'carol@example.org', name: '王小明' };

describe('system emails', () => {
  it('confirm: subject from <mj-title>, a signed expiring confirm link, no unsubscribe headers', async () => {
    const before = Date.now();
    const prepared = await prepareSystemEmail(emailConfig(), 'confirm', SECRET);
    const m = prepared.messageFor(carol);
    const parsed = await simpleParser(m.raw);
    expect(parsed.subject).toBe('Confirm your subscription to SOFA 周报');
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
    expect(parsed.text).toContain(`Confirm subscription [https://news.example.org/confirm?token=${token}]`);
    expect(parsed.text).toContain('carol@example.org');
    expect(parsed.headers.has('list-unsubscribe')).toBe(false);
    expect(parsed.headers.has('list-unsubscribe-post')).toBe(false);
    expect(parsed.html as string).not.toContain('unsubscribe?token=');
    expect(parsed.headerLines.find((h) => h.key === 'feedback-id')?.line).toBe('Feedback-ID: confirm:weekly:pressroom');
  });

  it('welcome: unsubscribe and preferences links, one-click headers', async () => {
    const prepared = await prepareSystemEmail(emailConfig(), 'welcome', SECRET);
    const parsed = await simpleParser(prepared.messageFor(carol).raw);
    expect(parsed.subject).toBe('Welcome to SOFA 周报');
    const lu = parsed.headerLines.find((h) => h.key === 'list-unsubscribe')!.line;
    const token = /unsubscribe\?token=([^>]+)>/.exec(lu)![1]!;
    expect(verifyToken(SECRET, token, 'unsubscribe')).toEqual({ ok: true, subscriberId: 77 });
    expect(parsed.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const prefs = /preferences\?token=([\w.-]+)"/.exec(parsed.html as string)![1]!;
    expect(verifyToken(SECRET, prefs, 'preferences')).toEqual({ ok: true, subscriberId: 77 });
    expect(parsed.text).toContain('Browse the archive [https://news.example.org/]');
  });
});
