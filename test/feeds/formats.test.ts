// Each known gap of feed 6.0.0 has a test here, checked with real readers (xmllint, Python
// feedparser, validate-feeds) rather than by string matching alone.
import { execFileSync } from 'node:child_process';
import { Feed } from 'feed';
import { describe, expect, it, vi } from 'vitest';
import { renderAtom } from '../../src/feeds/atom.js';
import { renderJsonFeed } from '../../src/feeds/json-feed.js';
import { siteFeed } from '../../src/feeds/model.js';
import { renderRss } from '../../src/feeds/rss.js';
import { issueId } from '../../src/feeds/ids.js';
import { date, feedparser, issue, siteConfig, tempFile, validateFeeds, xmllint } from './helpers.js';

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function renderAll(issues = [issue('one')], config = siteConfig()) {
  const spec = siteFeed(config, issues);
  return { spec, rss: renderRss(spec), atom: renderAtom(spec), json: renderJsonFeed(spec) };
}

function files(out: { rss: string; atom: string; json: string }) {
  return { rss: tempFile('feed.xml', out.rss), atom: tempFile('atom.xml', out.atom), json: tempFile('feed.json', out.json) };
}

describe('control characters', () => {
  const dirty = issue('ctl', {
    title: 'Bell\u0007 and form\u000C feed',
    description: 'nul\u0000 here',
    html: '<p>vertical\u000Btab \uFFFF and a lone \uD800 surrogate</p>',
    tags: ['esc\u001Bape'],
    authors: [{ name: 'Back\u0008space' }],
  });

  it('the feed package lets them through (the gap is real)', () => {
    const f = new Feed({ title: 't', id: 'https://e.org/', link: 'https://e.org/', updated: new Date(0) });
    f.addItem({ title: dirty.title, link: dirty.url, date: new Date(0), content: dirty.html });
    expect(f.rss2()).toMatch(CONTROL);
  });

  it('are stripped from RSS, Atom and JSON Feed, which then validate', () => {
    const out = renderAll([dirty]);
    for (const text of [out.rss, out.atom, out.json]) expect(text).not.toMatch(CONTROL);
    expect(out.rss).toContain('Bell and form feed');
    expect(JSON.parse(out.json).items[0].title).toBe('Bell and form feed');
    expect(JSON.parse(out.json).items[0].content_html).toBe('<p>verticaltab  and a lone  surrogate</p>');
    const f = files(out);
    const v = validateFeeds(f.rss, f.atom, f.json);
    expect(v.lines.at(-1)).toBe('3 feeds checked, 0 problems');
    expect(v.status).toBe(0);
  });
});

describe('category labels with < and &', () => {
  const tagged = issue('cat', { tags: ['C++ <templates> & more'], categories: ['R&D'] });

  it('the feed package writes a raw < into Atom attributes (the gap is real)', () => {
    const f = new Feed({ title: 't', id: 'https://e.org/', link: 'https://e.org/', updated: new Date(0) });
    f.addItem({ title: 't', link: 'https://e.org/a', date: new Date(0), category: [{ name: 'a<b', term: 'a<b' }] });
    const file = tempFile('atom.xml', f.atom1());
    expect(() => xmllint(file)).toThrow();
  });

  it('stay well-formed and read back exactly in RSS and Atom, with Atom terms', () => {
    const f = files(renderAll([tagged]));
    xmllint(f.rss);
    xmllint(f.atom);
    const rss = feedparser(f.rss);
    expect(rss.bozo).toBe(false);
    expect(rss.entries[0]!.tags.map((t) => t.term)).toEqual(['C++ <templates> & more', 'R&D']);
    const atom = feedparser(f.atom);
    expect(atom.bozo).toBe(false);
    expect(atom.entries[0]!.tags).toEqual([
      { term: 'c-templates-more', label: 'C++ <templates> & more' },
      { term: 'r-d', label: 'R&D' },
    ]);
  });

  it('become JSON Feed tags as written', () => {
    expect(JSON.parse(renderAll([tagged]).json).items[0].tags).toEqual(['C++ <templates> & more', 'R&D']);
  });
});

describe('cover images', () => {
  const cdn = 'https://gw.alipayobjects.com/mdn/rms_95b965/afts/img/A*Ig-jSIUZWx0AAAAAAAAAAAAAARQnAQ';
  const webp = 'https://gw.alipayobjects.com/zos/bmw-prod/5bcdff25-e21a-43ab-8e34-04305cd379ae.webp';

  it('the feed package guesses a nonsense type for a CDN URL without extension (the gap is real)', () => {
    const f = new Feed({ title: 't', id: 'https://e.org/', link: 'https://e.org/', updated: new Date(0) });
    f.addItem({ title: 't', link: 'https://e.org/a', date: new Date(0), image: cdn });
    expect(f.atom1()).toMatch(/type="image\/\/mdn/);
  });

  it('are Media RSS, never an enclosure: media:content typed only when the extension tells it', () => {
    const out = renderAll([issue('a', { cover: cdn }), issue('b', { cover: 'https://x.org/Cover.PNG', date: date('2022-11-03T15:00:00+08:00') })]);
    expect(out.atom).not.toContain('rel="enclosure"');
    expect(out.rss).not.toContain('<enclosure');
    for (const text of [out.rss, out.atom]) {
      expect(text).toContain(`<media:content url="${cdn}" medium="image"/>`);
      expect(text).toContain('<media:content url="https://x.org/Cover.PNG" medium="image" type="image/png"/>');
    }
    const f = files(out);
    for (const file of [f.rss, f.atom]) {
      const parsed = feedparser(file);
      expect(parsed.bozo).toBe(false);
      expect(parsed.entries.map((e) => e.enclosures)).toEqual([[], []]);
    }
  });

  it('JSON Feed: image; non-http covers are left out everywhere', () => {
    const out = renderAll([issue('a', { cover: webp }), issue('b', { cover: 'javascript:alert(1)', date: date('2022-11-03T15:00:00+08:00') })]);
    const items = JSON.parse(out.json).items;
    expect(items[0].image).toBe(webp);
    expect(items[1]).not.toHaveProperty('image');
    expect(out.rss + out.atom).not.toContain('javascript:');
  });
});

describe('authors', () => {
  it('RSS uses dc:creator, never a bare name in <author>', () => {
    const out = renderAll([issue('a', { authors: [{ name: 'SOFA 团队', url: 'https://github.com/sofastack' }, { name: 'Ann' }] })]);
    expect(out.rss).not.toContain('<author>');
    expect(out.rss).toContain('<dc:creator>SOFA 团队</dc:creator>');
    expect(out.rss).toContain('<dc:creator>Ann</dc:creator>');
    const parsed = feedparser(files(out).rss);
    expect(parsed.bozo).toBe(false);
    expect(parsed.entries[0]!.authors).toEqual(['SOFA 团队', 'Ann']);
  });

  it('items without authors fall back to the site author', () => {
    const out = renderAll([issue('a')]);
    expect(out.rss).toContain('<dc:creator>Test Team</dc:creator>');
    // Atom entries inherit the feed's <author> (RFC 4287 4.2.1), so it is written once.
    expect(out.atom).toMatch(/<\/subtitle>[\s\S]*<author>\s*<name>Test Team<\/name>\s*<uri>https:\/\/example.org\/team<\/uri>\s*<\/author>[\s\S]*<entry>/);
    expect(out.atom.match(/<author>/g)).toHaveLength(1);
    expect(JSON.parse(out.json).authors).toEqual([{ name: 'Test Team', url: 'https://example.org/team' }]);
  });
});

describe('language', () => {
  it('Atom has xml:lang on the feed and on entries in another language', () => {
    const out = renderAll([issue('a'), issue('b', { lang: 'en', date: date('2022-11-03T15:00:00+08:00') })]);
    expect(out.atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xml:lang="zh-CN">');
    expect(out.atom).toContain('<entry xml:lang="en">');
    expect(feedparser(files(out).atom).language).toBe('zh-CN');
    expect(out.rss).toContain('<language>zh-CN</language>');
    const json = JSON.parse(out.json);
    expect(json.language).toBe('zh-CN');
    expect(json.items[0]).not.toHaveProperty('language');
    expect(json.items[1].language).toBe('en');
  });
});

describe('JSON Feed 1.1', () => {
  it('has the 1.1 version, authors and language, and no 1.0 author field', () => {
    const json = JSON.parse(renderAll([issue('a', { authors: [{ name: 'Ann', url: 'https://ann.example' }] })]).json);
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.feed_url).toBe('https://news.example.org/feed.json');
    expect(json.home_page_url).toBe('https://news.example.org/');
    expect(json).not.toHaveProperty('author');
    expect(json.items[0]).not.toHaveProperty('author');
    expect(json.items[0].authors).toEqual([{ name: 'Ann', url: 'https://ann.example' }]);
    expect(json.items[0].date_published).toBe('2022-11-04T15:00:00+08:00');
  });
});

describe('dates and determinism', () => {
  const issues = [
    issue('old', { date: date('2021-01-14T15:00:00+08:00') }),
    issue('new', { date: date('2023-10-06T15:00:00+08:00') }),
    issue('mid', { date: date('2022-06-01T09:00:00-04:00') }),
  ];

  it('updated / lastBuildDate are the newest issue date in its own offset, not the build time', () => {
    const out = renderAll(issues);
    expect(out.rss).toContain('<lastBuildDate>Fri, 06 Oct 2023 15:00:00 +0800</lastBuildDate>');
    expect(out.atom).toMatch(/^ {2}<updated>2023-10-06T15:00:00\+08:00<\/updated>$/m);
    expect(out.rss).toContain('<pubDate>Wed, 01 Jun 2022 09:00:00 -0400</pubDate>');
    expect(out.atom).toContain('<published>2022-06-01T09:00:00-04:00</published>');
    expect(JSON.parse(out.json).items.map((i: { date_published: string }) => i.date_published)).toEqual([
      '2023-10-06T15:00:00+08:00',
      '2022-06-01T09:00:00-04:00',
      '2021-01-14T15:00:00+08:00',
    ]);
  });

  it('two renders, in different input orders and at different times, are byte-identical', () => {
    const first = renderAll(issues);
    // The second render 400 days and a few seconds later on the clock (Date only; nothing else is faked).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 400 * 86_400_000 + 3_700 });
    try {
      const second = renderAll([...issues].reverse());
      expect(second).toEqual(first);
    } finally {
      vi.useRealTimers();
    }
  });

  it('an empty feed has a fixed date, never now', () => {
    const out = renderAll([]);
    expect(out.rss).toContain('<lastBuildDate>Thu, 01 Jan 1970 00:00:00 +0000</lastBuildDate>');
    expect(out.atom).toContain('<updated>1970-01-01T00:00:00Z</updated>');
  });
});

describe('ids and order', () => {
  it('are tag: URIs from host and slug that survive a title and date change', () => {
    const before = renderAll([issue('sofa-weekly-1006', { title: 'Typo' })]);
    const after = renderAll([issue('sofa-weekly-1006', { title: 'Fixed', date: date('2023-10-07T15:00:00+08:00') })]);
    const id = 'tag:news.example.org,2000:/issues/sofa-weekly-1006';
    for (const out of [before, after]) {
      expect(out.atom).toContain(`<id>${id}</id>`);
      expect(out.rss).toContain(`<guid isPermaLink="false">${id}</guid>`);
      expect(JSON.parse(out.json).items[0].id).toBe(id);
    }
    const atom = feedparser(files(before).atom);
    expect(atom.entries[0]!.id).toBe(id);
  });

  it('include the site path and differ between hosts', () => {
    expect(issueId('https://example.org/news/', 'a')).toBe('tag:example.org,2000:/news/issues/a');
    expect(issueId('https://other.org/', 'a')).not.toBe(issueId('https://example.org/', 'a'));
  });

  it('have an RFC 4151 authority: the host name without the port, so a new port re-ids nothing', () => {
    expect(issueId('http://localhost:8080/', 'a')).toBe('tag:localhost,2000:/issues/a');
    expect(issueId('http://localhost:9123/', 'a')).toBe(issueId('http://localhost:8080/', 'a'));
    expect(issueId('https://News.Example.org:8443/w/', 'a')).toBe('tag:news.example.org,2000:/w/issues/a');
    // An IPv6 literal is no DNS name: written the ipv6-literal.net way.
    expect(issueId('http://[2001:db8::1]:8080/', 'a')).toBe('tag:2001-db8-0-1.ipv6-literal.net,2000:/issues/a');
    expect(issueId('http://[::1]/', 'a')).toBe('tag:0-0-1.ipv6-literal.net,2000:/issues/a');
  });

  it('items are newest first and limited to site.feedItems', () => {
    const many = Array.from({ length: 30 }, (_, i) => issue(`n${String(i).padStart(2, '0')}`, { date: date(`2022-01-${String(i + 1).padStart(2, '0')}T08:00:00+08:00`) }));
    const out = renderAll(many, siteConfig({ feedItems: 7 }));
    const f = files(out);
    const expected = ['n29', 'n28', 'n27', 'n26', 'n25', 'n24', 'n23'].map((s) => issueId('https://news.example.org/', s));
    expect(feedparser(f.rss).entries.map((e) => e.id)).toEqual(expected);
    expect(feedparser(f.atom).entries.map((e) => e.id)).toEqual(expected);
    expect(JSON.parse(out.json).items.map((i: { id: string }) => i.id)).toEqual(expected);
    const v = validateFeeds(f.rss, f.atom, f.json);
    expect(v.lines.at(-1)).toBe('3 feeds checked, 0 problems');
  });
});

describe('RSS specifics', () => {
  it('has content:encoded with the full HTML and an atom:link rel=self', () => {
    const out = renderAll([issue('a', { html: '<p>Full <b>HTML</b> ]]> body</p>' })]);
    expect(out.rss).toContain('<atom:link href="https://news.example.org/feed.xml" rel="self" type="application/rss+xml"/>');
    expect(out.rss).toContain('<content:encoded><![CDATA[<p>Full <b>HTML</b> ]]]]><![CDATA[> body</p>]]></content:encoded>');
    const f = tempFile('feed.xml', out.rss);
    xmllint(f);
    const script = 'import feedparser,sys; print(feedparser.parse(sys.argv[1]).entries[0].content[0].value)';
    expect(execFileSync('/usr/bin/python3', ['-c', script, f], { encoding: 'utf8' }).trim()).toBe('<p>Full <b>HTML</b> ]]> body</p>');
  });
});
