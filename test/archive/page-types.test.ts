// Every page type a reader sees, through the real service (buildServer with a real SQLite store,
// the outbox transport and the built corpus archive, site.language zh-CN), in real headless
// Chromium at 375x812 and 1280x800, in the light and the dark scheme: the archive pages (home, an
// issue, a topic, the topics index), the 404 page, and the whole sign-up journey, each step opened
// from the page before it or from the link in the email the service wrote to the outbox.
// Screenshots (light scheme, full page) go to test-artifacts/pages/<type>-<width>.png.
// Without /usr/bin/chromium the suite is skipped locally, and fails when CI=true.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Browser, Response } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildSite } from '../../src/build/site.js';
import { loadIssues } from '../../src/content/load.js';
import { messages } from '../../src/i18n/catalogue.js';
import { freePort } from '../e2e/ports.js';
import { CORPUS } from '../feeds/helpers.js';
import { linkIn, startHarness, type Harness } from '../server/harness.js';
import { describeWithChromium, drawsCjk, launchChromium, standInForOtherHosts } from '../support/chromium.js';
import { waitFor } from '../support/wait.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/pages');
const TITLE = 'SOFA Weekly 周报';
const VIEWPORTS = [
  { width: 375, height: 812 },
  { width: 1280, height: 800 },
];
const SCHEMES = ['light', 'dark'] as const;
const t = messages('zh-CN', { site: TITLE });

/** The service pages' headings, which also prove each step of the journey landed where it should. */
const SERVICE_H1: Record<string, string> = {
  'not-found': t.title_not_found,
  subscribe: t.title_subscribe,
  'signed-up': t.title_check_inbox,
  confirm: t.title_confirm,
  confirmed: t.title_subscribed,
  preferences: t.title_preferences,
  unsubscribe: t.title_unsubscribe,
  unsubscribed: t.title_unsubscribed,
};
const ARCHIVE_TYPES = ['home', 'issue', 'topic', 'topics', 'search'];
const TYPES = [...ARCHIVE_TYPES, ...Object.keys(SERVICE_H1)];
const STATUS: Record<string, number> = Object.fromEntries(TYPES.map((type) => [type, type === 'not-found' ? 404 : 200]));

// Browser-side code is passed as a string: the project's tsconfig has no DOM types. A control's
// accessible name: aria-label, aria-labelledby, a <label> with text, or (buttons) its own text.
const FACTS = `(() => {
  const html = document.documentElement;
  const text = (el) => (el ? el.textContent.trim() : '');
  const named = (c) =>
    (c.getAttribute('aria-label') || '').trim() !== '' ||
    (c.getAttribute('aria-labelledby') || '').split(/\\s+/).some((id) => text(document.getElementById(id)) !== '') ||
    [...(c.labels || [])].some((l) => text(l) !== '') ||
    (c.tagName === 'BUTTON' && text(c) !== '');
  const unnamed = [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
    .filter((c) => !named(c))
    .map((c) => c.tagName.toLowerCase() + (c.name ? '[name=' + c.name + ']' : ''));
  return {
    overflow: html.scrollWidth - html.clientWidth,
    h1: [...document.querySelectorAll('h1')].map(text),
    unnamed,
    lang: html.lang,
    cjk: (document.body.innerText.match(/[\\u4e00-\\u9fff]{2}/) || [''])[0],
    background: getComputedStyle(document.body).backgroundColor,
    home: document.querySelector('header.site a.home') ? text(document.querySelector('header.site a.home')) : null,
    stylesheet: [...document.querySelectorAll('link[rel=stylesheet]')].some((l) => new URL(l.href).pathname.endsWith('/style.css')),
  };
})()`;

interface Facts {
  overflow: number;
  h1: string[];
  unnamed: string[];
  lang: string;
  cjk: string;
  background: string;
  home: string | null;
  stylesheet: boolean;
}

interface Visit extends Facts {
  type: string;
  width: number;
  scheme: (typeof SCHEMES)[number];
  status: number;
  drawn: { cjk: boolean; control: boolean };
}

describeWithChromium('every page type through the real service, in Chromium at 375 and 1280px', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;
  const visits: Visit[] = [];

  /** Every message the outbox holds for `address`, parsed. */
  const outboxFor = async (address: string): Promise<ParsedMail[]> => {
    const dir = path.join(h.config.dataDir, 'outbox');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.eml'));
    const mails = await Promise.all(files.map((f) => simpleParser(readFileSync(path.join(dir, f)))));
    return mails.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((to) => to?.value.some((v) => v.address === address)));
  };
  /** The first link to `route` in the mail for `address` that has one, once the service has written it. */
  const mailedLink = async (address: string, route: string): Promise<string> => {
    const prefix = `${base}${route}?token=`;
    return waitFor(
      async () => {
        await h.server.context.mailer.drain();
        const mail = (await outboxFor(address)).find((m) => `${m.text ?? ''}${m.html || ''}`.includes(prefix));
        return mail && linkIn(mail, prefix);
      },
      { what: `a mail to ${address} with a ${route} link` },
    );
  };

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}/`;
    h = await startHarness({
      rateLimit: { max: 1000, windowMs: 60_000 },
      configure: (config) => {
        config.smtpUrl = 'outbox:';
        config.site.url = base;
        config.site.title = TITLE;
        config.site.description = 'SOFAStack 社区每周精选';
        config.site.language = 'zh-CN';
        config.site.timeZone = 'Asia/Shanghai';
        config.issuesDir = CORPUS;
      },
    });
    await buildSite(h.config, (await loadIssues(h.config)).issues);
    await h.server.app.listen({ port, host: '127.0.0.1' });
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const viewport of VIEWPORTS) for (const scheme of SCHEMES) await journey(viewport, scheme);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /** Visits every page type in one context, recording what each page is and does. */
  async function journey(viewport: { width: number; height: number }, scheme: Visit['scheme']) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1, colorScheme: scheme });
    await standInForOtherHosts(context, base);
    const page = await context.newPage();
    const record = async (type: string, response: Response | null) => {
      const facts = (await page.evaluate(FACTS)) as Facts;
      const drawn = facts.cjk ? await drawsCjk(page, facts.cjk) : { cjk: false, control: false };
      visits.push({ ...facts, type, width: viewport.width, scheme, status: response?.status() ?? 0, drawn });
      if (scheme === 'light') await page.screenshot({ path: path.join(ARTIFACTS, `${type}-${viewport.width}.png`), fullPage: true });
    };
    const open = async (type: string, url: string) => record(type, await page.goto(url, { waitUntil: 'load' }));
    const press = async (type: string, button: string) => {
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click(button)]);
      await page.waitForLoadState('load');
      await record(type, response);
    };
    const href = async (selector: string) => new URL((await page.locator(selector).first().getAttribute('href'))!, page.url()).href;

    await open('home', base);
    const issue = await href('ol.issues a.title');
    await open('topics', `${base}tags/`);
    const topic = await href('ul.topic-index a');
    await open('issue', issue);
    await open('topic', topic);
    await open('not-found', `${base}no-such-page/`);
    // The search page with its results listed (a query in the URL runs on load).
    const searched = await page.goto(`${base}search/?q=${encodeURIComponent('服务网格')}`, { waitUntil: 'load' });
    await page.locator('ol.issues li').first().waitFor();
    await record('search', searched);

    const address = `reader-${viewport.width}-${scheme}@example.org`;
    await open('subscribe', `${base}subscribe`);
    await page.fill('form#subscribe input[name=email]', address);
    await press('signed-up', 'form#subscribe button');
    await open('confirm', await mailedLink(address, 'confirm'));
    await press('confirmed', 'form#confirm button');
    expect((await h.store.findSubscriberByEmail(address))?.status).toBe('active');
    await open('preferences', await mailedLink(address, 'preferences'));
    await open('unsubscribe', await mailedLink(address, 'unsubscribe'));
    await press('unsubscribed', 'form#unsubscribe button');
    expect((await h.store.findSubscriberByEmail(address))?.status).toBe('unsubscribed');
    expect(await page.locator('form#resubscribe button').count()).toBe(1);
    await context.close();
  }

  /** One line per visit that breaks `rule`: the rule's complaint, or nothing. */
  const broken = (rule: (v: Visit) => string | null) =>
    visits.flatMap((v) => {
      const why = rule(v);
      return why ? [`${v.type}-${v.width}-${v.scheme}: ${why}`] : [];
    });

  it('visits every page type at both widths in both schemes, in Chinese, each with its expected status', () => {
    expect(visits.map((v) => `${v.type}-${v.width}-${v.scheme}`).sort()).toEqual(
      TYPES.flatMap((type) => VIEWPORTS.flatMap(({ width }) => SCHEMES.map((scheme) => `${type}-${width}-${scheme}`))).sort(),
    );
    expect(broken((v) => (v.status === STATUS[v.type] ? null : `status ${v.status}, expected ${STATUS[v.type]}`))).toEqual([]);
    expect(broken((v) => (v.lang === 'zh-CN' ? null : `lang ${v.lang}`))).toEqual([]);
  });

  it('no page scrolls sideways', () => {
    expect(broken((v) => (v.overflow === 0 ? null : `${v.overflow}px wider than the window`))).toEqual([]);
  });

  it('every page has Chinese text, drawn with a real font rather than missing-glyph boxes', () => {
    expect(broken((v) => (v.cjk === '' ? 'no CJK text' : v.drawn.cjk && v.drawn.control ? null : `"${v.cjk}" not drawn (${JSON.stringify(v.drawn)})`))).toEqual([]);
  });

  it('every page has one h1 (the service pages: the title of that step), and every form control a label', () => {
    expect(broken((v) => (v.h1.length === 1 && v.h1[0] !== '' ? null : `h1 ${JSON.stringify(v.h1)}`))).toEqual([]);
    expect(broken((v) => (v.type in SERVICE_H1 && v.h1[0] !== SERVICE_H1[v.type] ? `h1 "${v.h1[0]}", expected "${SERVICE_H1[v.type]}"` : null))).toEqual([]);
    expect(broken((v) => (v.unnamed.length === 0 ? null : `no accessible name: ${v.unnamed.join(', ')}`))).toEqual([]);
  });

  it('the dark scheme changes every page’s background', () => {
    const light = new Map(visits.filter((v) => v.scheme === 'light').map((v) => [`${v.type}-${v.width}`, v.background]));
    const dark = visits.filter((v) => v.scheme === 'dark');
    expect(dark).toHaveLength(light.size);
    expect(broken((v) => (v.scheme === 'dark' && v.background === light.get(`${v.type}-${v.width}`) ? `background ${v.background} in both schemes` : null))).toEqual([]);
  });

  it('every page shares one look: the site header with the site title, and style.css', () => {
    const look = (v: Visit) => [v.home === TITLE ? '' : `header.site a.home ${JSON.stringify(v.home)}`, v.stylesheet ? '' : 'no link to style.css'].filter(Boolean).join('; ');
    expect(broken((v) => look(v) || null)).toEqual([]);
  });
});
