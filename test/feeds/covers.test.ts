// Covers as Media RSS and as the first image of the content, and Atom category labels: the real
// output, read back by xmllint, feedparser and validate-feeds.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { renderAtom } from '../../src/feeds/atom.js';
import { renderJsonFeed } from '../../src/feeds/json-feed.js';
import { siteFeed } from '../../src/feeds/model.js';
import { renderRss } from '../../src/feeds/rss.js';
import { date, feedparser, issue, siteConfig, tempFile, validateFeeds, xmllint } from './helpers.js';

const cdn = 'https://gw.alipayobjects.com/mdn/rms_95b965/afts/img/A*Ig-jSIUZWx0AAAAAAAAAAAAAARQnAQ';
const png = 'https://x.org/Cover.PNG';

function renderAll(issues = [issue('one')]) {
  const spec = siteFeed(siteConfig(), issues);
  return { rss: renderRss(spec), atom: renderAtom(spec), json: renderJsonFeed(spec) };
}

const covered = [issue('a', { cover: cdn, title: 'Tom & "Jerry" <b>', html: '<p>Body</p>' }), issue('b', { cover: png, date: date('2022-11-03T15:00:00+08:00') })];

describe('covers', () => {
  it('RSS: media:content and media:thumbnail with the namespace, no enclosure', () => {
    const { rss } = renderAll(covered);
    expect(rss).toContain('xmlns:media="http://search.yahoo.com/mrss/"');
    expect(rss).not.toContain('<enclosure');
    expect(rss).toContain(`<media:content url="${cdn}" medium="image"/>`);
    expect(rss).toContain(`<media:thumbnail url="${cdn}"/>`);
    expect(rss).toContain(`<media:content url="${png}" medium="image" type="image/png"/>`);
    const f = tempFile('feed.xml', rss);
    xmllint(f);
    const parsed = feedparser(f);
    expect(parsed.bozo).toBe(false);
    expect(parsed.entries[0]!.enclosures).toEqual([]);
  });

  it('Atom: media:content and media:thumbnail with the namespace, no enclosure link', () => {
    const { atom } = renderAll(covered);
    expect(atom).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xml:lang="zh-CN">');
    expect(atom).not.toContain('rel="enclosure"');
    expect(atom).toContain(`<media:content url="${cdn}" medium="image"/>`);
    expect(atom).toContain(`<media:thumbnail url="${png}"/>`);
    const f = tempFile('atom.xml', atom);
    xmllint(f);
    expect(feedparser(f).bozo).toBe(false);
  });

  it('is the first element of the HTML content in all three formats, escaped once', () => {
    const out = renderAll(covered);
    const img = `<p><img src="${cdn}" alt="Tom &amp; &quot;Jerry&quot; &lt;b&gt;"/></p><p>Body</p>`;
    expect(out.rss).toContain(`<content:encoded><![CDATA[${img}]]></content:encoded>`);
    expect(JSON.parse(out.json).items[0].content_html).toBe(img);
    expect(JSON.parse(out.json).items[0].image).toBe(cdn);
    const script = 'import feedparser,sys; print(feedparser.parse(sys.argv[1]).entries[0].content[0].value)';
    for (const [name, text] of [
      ['feed.xml', out.rss],
      ['atom.xml', out.atom],
    ] as const) {
      const f = tempFile(name, text);
      const value = execPython(script, f);
      // feedparser sorts the attributes it keeps: what matters is that the image comes first.
      expect(value).toMatch(/^<p><img [^>]*\bsrc="([^"]+)"[^>]*\/?><\/p><p>Body<\/p>$/);
      expect(/\bsrc="([^"]+)"/.exec(value)![1]).toBe(cdn);
      expect(value).toContain('alt="Tom &amp; &quot;Jerry&quot; &lt;b&gt;"');
    }
    const f = { rss: tempFile('feed.xml', out.rss), atom: tempFile('atom.xml', out.atom), json: tempFile('feed.json', out.json) };
    const v = validateFeeds(f.rss, f.atom, f.json);
    expect(v.lines).toEqual(['3 feeds checked, 0 problems']);
    expect(v.status).toBe(0);
  });

  it('no cover: no media elements and the content unchanged', () => {
    const out = renderAll([issue('plain'), issue('bad', { cover: 'javascript:alert(1)', date: date('2022-11-03T15:00:00+08:00') })]);
    expect(out.rss).not.toContain('<media:content');
    expect(out.atom).not.toContain('<media:thumbnail');
    expect(out.rss + out.atom + out.json).not.toContain('javascript:');
    expect(JSON.parse(out.json).items[0].content_html).toBe('<p>Hello</p>');
  });
});

describe('categories', () => {
  it('Atom: term is the slug, label the human name; RSS: the human name as text', () => {
    const out = renderAll([issue('t', { tags: ['SOFA Weekly'], categories: ['云原生'] })]);
    expect(out.atom).toContain('<category term="sofa-weekly" label="SOFA Weekly"/>');
    expect(out.atom).toContain('<category term="云原生" label="云原生"/>');
    expect(out.rss).toContain('<category>SOFA Weekly</category>');
  });
});

function execPython(script: string, file: string): string {
  return execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }).trim();
}
