// Archive pages as HTML text: escaping, language, autodiscovery, subscribe form, navigation.
import { describe, expect, it } from 'vitest';
import { renderSite } from '../../src/build/site.js';
import { date, issue, siteConfig } from '../feeds/helpers.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function site(issues = [issue('a')], overrides = {}) {
  return renderSite(siteConfig(overrides), issues, { now: NOW });
}

describe('index.html', () => {
  const files = site([
    issue('older', { title: '旧一期', date: date('2022-11-04T15:00:00+08:00') }),
    issue('newer', { title: '新一期', date: date('2022-11-11T15:00:00+08:00'), description: '本周 <精选>' }),
  ]);
  const html = files.get('index.html')!;

  it('lists the issues newest first with relative links and dates in their own offset', () => {
    expect(html.indexOf('新一期')).toBeLessThan(html.indexOf('旧一期'));
    expect(html).toContain('<a class="title" href="issues/newer/">新一期</a>');
    expect(html).toContain('<time class="meta" datetime="2022-11-11T15:00:00+08:00">2022-11-11</time>');
    expect(html).toContain('<p>本周 &lt;精选&gt;</p>');
  });

  it('has the site language and autodiscovery links for all three feeds', () => {
    expect(html).toMatch(/^<!doctype html>\n<html lang="zh-CN">/);
    expect(html).toContain('<link rel="alternate" type="application/rss+xml" title="Test Weekly (RSS)" href="https://news.example.org/feed.xml">');
    expect(html).toContain('<link rel="alternate" type="application/atom+xml" title="Test Weekly (Atom)" href="https://news.example.org/atom.xml">');
    expect(html).toContain('<link rel="alternate" type="application/feed+json" title="Test Weekly (JSON Feed)" href="https://news.example.org/feed.json">');
  });

  it('has a subscribe form posting email and name to /subscribe', () => {
    expect(html).toContain('<form class="subscribe" method="post" action="https://news.example.org/subscribe">');
    expect(html).toContain('<input type="email" name="email" required');
    expect(html).toContain('<input type="text" name="name"');
  });

  it('offers each topic as an optional checkbox named topics', () => {
    const withTopics = site([issue('a', { tags: ['SOFA Weekly', 'R&D "x"'] })]).get('index.html')!;
    expect(withTopics).toContain('<input type="checkbox" name="topics" value="SOFA Weekly"> SOFA Weekly');
    expect(withTopics).toContain('<input type="checkbox" name="topics" value="R&amp;D &quot;x&quot;"> R&amp;D "x"');
    expect(html).not.toContain('name="topics"');
  });

  it('follows the site path for the form action when the site lives in a folder', () => {
    const sub = site([issue('a')], { url: 'https://example.org/news/' }).get('index.html')!;
    expect(sub).toContain('action="https://example.org/news/subscribe"');
  });
});

describe('issue pages', () => {
  const list = [
    issue('first', { date: date('2022-01-01T10:00:00+08:00'), title: 'First' }),
    issue('second', {
      date: date('2022-01-08T10:00:00+08:00'),
      title: 'Second <script>alert(1)</script> & "quotes"',
      description: 'desc "with" <quotes>',
      tags: ['SOFA Weekly', '云原生'],
      categories: ['SOFA WEEKLY'],
      cover: 'https://cdn.example.org/cover?x=1&y="2"',
      authors: [{ name: 'Ann <admin>' }],
      html: '<h2 id="x">内容</h2><p>正文</p>',
    }),
    issue('third', { date: date('2022-01-15T10:00:00+08:00'), title: 'Third', lang: 'en' }),
  ];
  const files = site(list);
  const page = files.get('issues/second/index.html')!;

  it('escapes every value from the issue', () => {
    expect(page).not.toContain('<script>');
    expect(page).toContain('<h1>Second &lt;script&gt;alert(1)&lt;/script&gt; &amp; "quotes"</h1>');
    expect(page).toContain('<title>Second &lt;script&gt;alert(1)&lt;/script&gt; &amp; "quotes" · Test Weekly</title>');
    expect(page).toContain('<meta name="description" content="desc &quot;with&quot; &lt;quotes&gt;">');
    expect(page).toContain('<img class="cover" src="https://cdn.example.org/cover?x=1&amp;y=&quot;2&quot;" alt="">');
    expect(page).toContain('Ann &lt;admin&gt;');
  });

  it('shows date, tags linking to topic pages, the content, and older/newer links', () => {
    expect(page).toContain('<time datetime="2022-01-08T10:00:00+08:00">2022-01-08</time>');
    expect(page).toContain('<a href="../../tags/sofa-weekly/">SOFA Weekly</a>');
    expect(page).toContain(`<a href="../../tags/${encodeURIComponent('云原生')}/">云原生</a>`);
    expect(page.match(/tags\/sofa-weekly\//g)).toHaveLength(1); // tag and category spellings share one link
    expect(page).toContain('<h2 id="x">内容</h2><p>正文</p>');
    expect(page).toContain('<a class="older" rel="prev" href="../../issues/first/">← First</a>');
    expect(page).toContain('<a class="newer" rel="next" href="../../issues/third/">Third →</a>');
    expect(page).toContain('<link rel="stylesheet" href="../../style.css">');
    expect(page).toContain('<link rel="canonical" href="https://news.example.org/issues/second/">');
  });

  it('the newest has no newer link, the oldest no older link, and an issue lang wins', () => {
    expect(files.get('issues/third/index.html')).not.toContain('class="newer"');
    expect(files.get('issues/first/index.html')).not.toContain('class="older"');
    expect(files.get('issues/third/index.html')).toContain('<html lang="en">');
  });

  it('topic pages list their issues and point autodiscovery at the topic feeds', () => {
    const topic = files.get(`tags/云原生/index.html`)!;
    expect(topic).toContain('<h1>云原生</h1>');
    expect(topic).toContain('href="../../issues/second/"');
    expect(topic).not.toContain('href="../../issues/first/"');
    expect(topic).toContain(`href="https://news.example.org/tags/${encodeURIComponent('云原生')}/atom.xml"`);
  });
});

describe('every page type: subscribe box, topics index, favicon', () => {
  const files = site([
    issue('one', { title: '第一期', tags: ['SOFA Weekly', 'Go'], date: date('2022-11-04T15:00:00+08:00') }),
    issue('two', { title: '第二期', tags: ['Go'], date: date('2022-11-11T15:00:00+08:00') }),
  ]);

  it('issue and topic pages carry the subscribe form too; a topic page has its own topic ticked, nothing else', () => {
    const issuePage = files.get('issues/one/index.html')!;
    expect(issuePage).toContain('<form class="subscribe" method="post" action="https://news.example.org/subscribe">');
    expect(issuePage).not.toContain(' checked');
    const topicPage = files.get('tags/go/index.html')!;
    expect(topicPage).toContain('<form class="subscribe" method="post" action="https://news.example.org/subscribe">');
    expect(topicPage).toContain('<input type="checkbox" name="topics" value="Go" checked> Go');
    expect(topicPage).toContain('<input type="checkbox" name="topics" value="SOFA Weekly"> SOFA Weekly');
  });

  it('tags/index.html lists every topic with its number of issues, most first, linking its page', () => {
    const index = files.get('tags/index.html')!;
    expect(index).toContain('<link rel="canonical" href="https://news.example.org/tags/">');
    const go = index.indexOf('<li><a href="go/">Go</a> <span class="count">2</span></li>');
    const sofa = index.indexOf('<li><a href="sofa-weekly/">SOFA Weekly</a> <span class="count">1</span></li>');
    expect(go).toBeGreaterThan(0);
    expect(sofa).toBeGreaterThan(go);
  });

  it('every page links the favicon (relative to the page) and the topics index; the build writes the icon', () => {
    expect(files.get('favicon.svg')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(files.get('index.html')).toContain('<link rel="icon" href="favicon.svg" type="image/svg+xml">');
    // The test site speaks zh-CN: the archive's words come from that catalogue (src/i18n/).
    expect(files.get('index.html')).toContain('<a href="tags/">主题</a>');
    expect(files.get('issues/one/index.html')).toContain('<link rel="icon" href="../../favicon.svg" type="image/svg+xml">');
    expect(files.get('tags/index.html')).toContain('<link rel="icon" href="../favicon.svg" type="image/svg+xml">');
  });
});

describe("the archive's words", () => {
  it('come from the catalogue of site.language: Simplified Chinese for zh-CN, English otherwise', () => {
    const zh = site([issue('a')], { language: 'zh-CN' }).get('index.html')!;
    expect(zh).toContain('<strong>邮件订阅</strong>');
    expect(zh).toContain('<h1>往期</h1>');
    expect(zh).toContain('<p>订阅源： <a href="https://news.example.org/feed.xml">RSS</a>');
    const en = site([issue('a')], { language: 'en' }).get('index.html')!;
    expect(en).toContain('<strong>Subscribe by email</strong>');
    expect(en).toContain('<h1>Issues</h1>');
    expect(en).toContain('<button type="submit">Subscribe</button>');
    expect(site([], { language: 'en' }).get('index.html')).toContain('<p>No issues published yet.</p>');
  });
});
