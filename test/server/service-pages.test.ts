// The service pages as readers see them, through the real fastify app, a real SQLite store and a
// loopback SMTP server: words for people in the site's language (English, and Simplified Chinese
// for a zh-CN site), the way back after unsubscribing, and each topic once.
import { decodeHTML } from 'entities';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/email/tokens.js';
import { CATALOGUES } from '../../src/i18n/catalogue.js';
import { isoFromNow, linkIn, SECRET, startHarness, writeIssue, type Harness } from './harness.js';

const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
const ONE_CLICK = { payload: 'List-Unsubscribe=One-Click', headers: formHeaders };

/** The visible text of a page: tags dropped, the templates' character references decoded, spaces folded. */
const textOf = (html: string) =>
  decodeHTML(
    html
      .replace(/<style>[\s\S]*?<\/style>/g, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' '),
  ).trim();
const actionOf = (html: string, form: string) => new RegExp(`<form method="post" action="([^"]+)" id="${form}"`).exec(html)?.[1]?.replace(/&amp;/g, '&');
const pathOf = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};

describe('an English site', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ rateLimit: { max: 1000, windowMs: 60_000 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('signs up, confirms, unsubscribes and comes back with the links it was mailed', async () => {
    const app = h.server.app;
    const signUp = await app.inject({ method: 'GET', url: '/subscribe' });
    expect(textOf(signUp.body)).toContain('Email Name (optional)');
    await app.inject({ method: 'POST', url: '/subscribe', payload: 'email=back%40example.org', headers: formHeaders });
    const [confirmMail] = await h.waitForMail('back@example.org');
    const confirmUrl = pathOf(linkIn(confirmMail!, 'http://news.test/confirm?token='));
    const confirmPage = await app.inject({ method: 'GET', url: confirmUrl });
    expect(textOf(confirmPage.body)).toContain('Press the button to confirm your subscription to Test Weekly.');
    const confirmed = await app.inject({ method: 'POST', url: actionOf(confirmPage.body, 'confirm')! });
    expect(textOf(confirmed.body)).toContain("You're subscribed to Test Weekly.");
    expect(textOf(confirmed.body)).not.toMatch(/Status|active/);

    const [, welcome] = await h.waitForMail('back@example.org', 2);
    const unsubscribeUrl = pathOf(linkIn(welcome!, 'http://news.test/unsubscribe?token='));
    const unsubscribePage = await app.inject({ method: 'GET', url: unsubscribeUrl });
    expect(textOf(unsubscribePage.body)).toContain('Press the button to stop receiving Test Weekly.');
    const unsubscribed = await app.inject({ method: 'POST', url: actionOf(unsubscribePage.body, 'unsubscribe')!, ...ONE_CLICK });
    expect(unsubscribed.statusCode).toBe(200);
    expect(textOf(unsubscribed.body)).toContain("You've unsubscribed from Test Weekly. You won't receive any more issues.");
    const subscriber = (await h.store.findSubscriberByEmail('back@example.org'))!;
    expect(subscriber.status).toBe('unsubscribed');

    // Opening the unsubscribe link again offers the same way back.
    const again = await app.inject({ method: 'GET', url: unsubscribeUrl });
    expect(textOf(again.body)).toContain("You've unsubscribed from Test Weekly. Changed your mind?");
    const resubscribe = actionOf(unsubscribed.body, 'resubscribe')!;
    expect(actionOf(again.body, 'resubscribe')).toBe(resubscribe);
    expect(resubscribe).toMatch(/^\/resubscribe\?token=/);

    // Another site cannot press it for the reader.
    const forged = await app.inject({ method: 'POST', url: resubscribe, headers: { ...formHeaders, origin: 'http://evil.test' } });
    expect(forged.statusCode).toBe(403);
    expect((await h.store.getSubscriber(subscriber.id))!.status).toBe('unsubscribed');

    const back = await app.inject({ method: 'POST', url: resubscribe, headers: { ...formHeaders, 'sec-fetch-site': 'same-origin' } });
    expect(back.statusCode).toBe(200);
    expect(textOf(back.body)).toContain("Welcome back! You're subscribed to Test Weekly again.");
    expect((await h.store.getSubscriber(subscriber.id))!.status).toBe('active');
    // Straight back to active (the link was mailed to this address): no new confirmation email.
    await h.server.context.mailer.drain();
    expect(await h.mailFor('back@example.org')).toHaveLength(2);
    const preferences = /href="(\/preferences\?token=[^"]+)"/.exec(back.body)?.[1];
    const prefsPage = await app.inject({ method: 'GET', url: preferences!.replace(/&amp;/g, '&') });
    expect(prefsPage.statusCode).toBe(200);
    expect(textOf(prefsPage.body)).toContain("You're subscribed to Test Weekly.");
    // Pressing it twice changes nothing more.
    const twice = await app.inject({ method: 'POST', url: resubscribe, headers: formHeaders });
    expect(textOf(twice.body)).toContain("You're already subscribed to Test Weekly.");
  });

  it('never brings back a bounced or complained address, and says why in words', async () => {
    for (const status of ['bounced', 'complained'] as const) {
      const s = await h.store.addSubscriber({ email: `${status}@example.org`, status });
      const res = await h.server.app.inject({ method: 'POST', url: `/resubscribe?token=${signToken(SECRET, s.id, 'unsubscribe')}`, headers: formHeaders });
      expect(res.statusCode, status).toBe(409);
      expect(textOf(res.body)).toContain(status === 'bounced' ? 'could not be delivered' : 'reported as spam');
      expect((await h.store.getSubscriber(s.id))!.status).toBe(status);
      const unsubscribe = await h.server.app.inject({ method: 'POST', url: `/unsubscribe?token=${signToken(SECRET, s.id, 'unsubscribe')}`, ...ONE_CLICK });
      expect(unsubscribe.statusCode, status).toBe(200);
      expect(unsubscribe.body, status).not.toContain('id="resubscribe"');
      const page = await h.server.app.inject({ method: 'GET', url: `/preferences?token=${signToken(SECRET, s.id, 'preferences')}` });
      expect(page.body).not.toContain('id="resubscribe"');
      expect(page.body).not.toContain('href="/unsubscribe');
    }
  });

  it('offers no way back to an erased subscriber', async () => {
    const s = await h.store.addSubscriber({ email: 'erased@example.org', status: 'unsubscribed' });
    const token = signToken(SECRET, s.id, 'unsubscribe');
    expect(await h.store.eraseSubscriber('erased@example.org')).toBe(true);
    const page = await h.server.app.inject({ method: 'GET', url: `/unsubscribe?token=${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('id="resubscribe"');
    const back = await h.server.app.inject({ method: 'POST', url: `/resubscribe?token=${token}`, headers: formHeaders });
    expect(back.statusCode).toBe(404);
  });

  it('refuses a resubscribe link of another purpose', async () => {
    const s = await h.store.addSubscriber({ email: 'purpose@example.org', status: 'unsubscribed' });
    const res = await h.server.app.inject({ method: 'POST', url: `/resubscribe?token=${signToken(SECRET, s.id, 'preferences')}`, headers: formHeaders });
    expect(res.statusCode).toBe(400);
    expect((await h.store.getSubscriber(s.id))!.status).toBe('unsubscribed');
  });

  it('the preferences page says the status in words and offers the way back once unsubscribed', async () => {
    const words = {
      pending: 'Your subscription to Test Weekly is waiting for your confirmation',
      active: "You're subscribed to Test Weekly.",
      unsubscribed: "You've unsubscribed from Test Weekly.",
    };
    for (const [status, sentence] of Object.entries(words) as Array<[keyof typeof words, string]>) {
      const s = await h.store.addSubscriber({ email: `words-${status}@example.org`, status });
      const page = await h.server.app.inject({ method: 'GET', url: `/preferences?token=${signToken(SECRET, s.id, 'preferences')}` });
      expect(textOf(page.body), status).toContain(sentence);
      expect(textOf(page.body), status).not.toMatch(/Status|\b(pending|active|bounced|complained)\b/);
      expect(page.body.includes('id="resubscribe"'), status).toBe(status === 'unsubscribed');
    }
  });

  it('shows each topic once by its label, whatever the spelling a subscriber stored', async () => {
    await writeIssue(h.config, { slug: 'spell-1', date: isoFromNow(-2 * 60_000), tags: ['sofa-weekly', 'Go'] });
    await writeIssue(h.config, { slug: 'spell-2', date: isoFromNow(-60_000), tags: ['SOFA Weekly', 'SOFA  WEEKLY'] });
    h.server.context.issues.invalidate();
    const s = await h.store.addSubscriber({ email: 'spell@example.org', status: 'active', topics: ['sofa-weekly', 'SOFA  weekly'] });
    const page = await h.server.app.inject({ method: 'GET', url: `/preferences?token=${signToken(SECRET, s.id, 'preferences')}` });
    const boxes = [...page.body.matchAll(/<label><input type="checkbox" name="topics" value="([^"]*)"( checked)?> ([^<]*)<\/label>/g)].map((m) => `${m[3]}${m[2] ? ' ✓' : ''}`);
    expect(boxes).toEqual(['Go', 'SOFA Weekly ✓']);
    const signUp = await h.server.app.inject({ method: 'GET', url: '/subscribe' });
    expect(textOf(signUp.body).match(/SOFA Weekly|sofa-weekly|SOFA {2}WEEKLY/gi)).toEqual(['SOFA Weekly']);
  });
});

describe('a zh-CN site', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      rateLimit: { max: 1000, windowMs: 60_000 },
      configure: (config) => {
        config.site.language = 'zh-CN';
        config.site.title = 'SOFA <周报>';
      },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** No English sentence from the catalogue on the page (the page may show values, never our words). */
  const noEnglish = (html: string) => {
    const text = textOf(html);
    return Object.values(CATALOGUES.en).filter((s) => s.length > 3 && !s.includes('{') && text.includes(s));
  };

  it('speaks Simplified Chinese on every page and in its emails, the site title escaped', async () => {
    const app = h.server.app;
    const signUp = await app.inject({ method: 'GET', url: '/subscribe' });
    expect(signUp.body).toContain('<html lang="zh-CN">');
    expect(textOf(signUp.body)).toContain('邮箱 称呼（可选）');
    expect(signUp.body).toContain('SOFA &lt;周报&gt;');
    expect(signUp.body).not.toContain('<周报>');
    expect(noEnglish(signUp.body)).toEqual([]);

    const refused = await app.inject({ method: 'POST', url: '/subscribe', payload: 'email=', headers: formHeaders });
    expect(refused.statusCode).toBe(400);
    expect(textOf(refused.body)).toContain('请检查邮箱地址。 具体原因： email: required');

    const thanks = await app.inject({ method: 'POST', url: '/subscribe', payload: 'email=li%40example.org', headers: formHeaders });
    expect(textOf(thanks.body)).toContain('谢谢！请查收邮件');
    const [confirmMail] = await h.waitForMail('li@example.org');
    expect(confirmMail!.subject).toBe('确认订阅 SOFA <周报>');
    expect((confirmMail!.text ?? '').replace(/\s+/g, ' ')).toContain('有人（希望是你）请求用 li@example.org 订阅 SOFA <周报>。');
    expect(confirmMail!.html).toContain('SOFA &lt;周报&gt;');

    const confirmPage = await app.inject({ method: 'GET', url: pathOf(linkIn(confirmMail!, 'http://news.test/confirm?token=')) });
    expect(textOf(confirmPage.body)).toContain('点击下面的按钮，确认订阅 SOFA <周报>。');
    const confirmed = await app.inject({ method: 'POST', url: actionOf(confirmPage.body, 'confirm')! });
    expect(textOf(confirmed.body)).toContain('你已订阅 SOFA <周报>。');
    expect(noEnglish(confirmed.body)).toEqual([]);

    const [, welcome] = await h.waitForMail('li@example.org', 2);
    expect(welcome!.subject).toBe('欢迎订阅 SOFA <周报>');
    expect(welcome!.text).not.toMatch(/Welcome|Unsubscribe|Preferences|Browse the archive/);
    const unsubscribeUrl = pathOf(linkIn(welcome!, 'http://news.test/unsubscribe?token='));
    const unsubscribePage = await app.inject({ method: 'GET', url: unsubscribeUrl });
    expect(noEnglish(unsubscribePage.body)).toEqual([]);
    const unsubscribed = await app.inject({ method: 'POST', url: unsubscribeUrl, ...ONE_CLICK });
    expect(textOf(unsubscribed.body)).toContain('你已退订 SOFA <周报>，之后不会再收到新的一期。 改变主意了？');
    expect(textOf(unsubscribed.body)).toContain('重新订阅');
    const back = await app.inject({ method: 'POST', url: actionOf(unsubscribed.body, 'resubscribe')!, headers: formHeaders });
    expect(textOf(back.body)).toContain('欢迎回来！你已重新订阅 SOFA <周报>。');
    expect(noEnglish(back.body)).toEqual([]);

    const s = (await h.store.findSubscriberByEmail('li@example.org'))!;
    const prefs = `/preferences?token=${signToken(SECRET, s.id, 'preferences')}`;
    const prefsPage = await app.inject({ method: 'GET', url: prefs });
    expect(textOf(prefsPage.body)).toContain('你已订阅 SOFA <周报>。');
    expect(noEnglish(prefsPage.body)).toEqual([]);
    const saved = await app.inject({ method: 'POST', url: prefs, payload: 'topics=%E5%91%A8%E6%8A%A5&topics=go', headers: formHeaders });
    expect(textOf(saved.body)).toContain('已保存：你会收到关于 周报、go 的内容。');
    const bad = await app.inject({ method: 'GET', url: '/confirm?token=nonsense' });
    expect(textOf(bad.body)).toContain('这个链接无效');
  });

  it('answers a missing page and a bad request in Chinese too', async () => {
    const missing = await h.server.app.inject({ method: 'GET', url: '/no/such/page' });
    expect(missing.statusCode).toBe(404);
    expect(textOf(missing.body)).toContain('页面不存在');
    expect(textOf(missing.body)).toContain('返回首页');
    expect(noEnglish(missing.body)).toEqual([]);
    const unreadable = await h.server.app.inject({ method: 'POST', url: '/subscribe', payload: 'x', headers: { 'content-type': 'text/csv' } });
    expect(unreadable.statusCode).toBe(415);
    expect(textOf(unreadable.body)).toContain('无法处理这个请求');
  });
});
