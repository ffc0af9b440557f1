// The one XML writer for RSS and Atom (src/feeds/xml.ts): what xmlbuilder2 alone would get wrong.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { renderAtom } from '../../src/feeds/atom.js';
import { siteFeed } from '../../src/feeds/model.js';
import { renderRss } from '../../src/feeds/rss.js';
import { el, serializeXml } from '../../src/feeds/xml.js';
import { issue, siteConfig, tempFile, xmllint } from './helpers.js';

describe('serializeXml', () => {
  it('escapes an & that looks like a reference, in text and attributes (xmlbuilder2 would keep it)', () => {
    const xml = serializeXml(el('a', { href: '?x=1&amp;y=2&#38;' }, 'AT&amp;T &copy; & <b>'), '  ');
    expect(xml).toBe('<?xml version="1.0" encoding="utf-8"?>\n<a href="?x=1&amp;amp;y=2&amp;#38;">AT&amp;amp;T &amp;copy; &amp; &lt;b&gt;</a>');
  });

  it('splits CDATA around ]]> and keeps the sections on one line', () => {
    const xml = serializeXml(el('r', {}, el('c', {}, { cdata: 'a]]>b]]>c' })), '  ');
    expect(xml).toContain('<c><![CDATA[a]]]]><![CDATA[>b]]]]><![CDATA[>c]]></c>');
  });

  it('an RSS title is plain character data unless it reads as markup, then HTML text in CDATA', () => {
    // newsboat and sfeed show `&amp;` literally when the title comes as HTML in CDATA (test/feeds/readers.test.ts).
    expect(serializeXml(el('t', {}, { plainTitle: 'Q&A & 本周贡献, SOFAStack&MOSN' }), '')).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<t>Q&amp;A &amp; 本周贡献, SOFAStack&amp;MOSN</t>',
    );
    expect(serializeXml(el('t', {}, { plainTitle: 'C++ <templates> & more' }), '')).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<t><![CDATA[C++ &lt;templates&gt; &amp; more]]></t>',
    );
    expect(serializeXml(el('t', {}, { plainTitle: 'AT&amp;T' }), '')).toBe('<?xml version="1.0" encoding="utf-8"?>\n<t><![CDATA[AT&amp;amp;T]]></t>');
  });

  it('drops characters XML forbids everywhere', () => {
    expect(serializeXml(el('r', { t: 'a\u0001' }, 'b\u0002', el('c', {}, { cdata: 'c\u0003' }), el('d', {}, { plainAsHtml: 'd\u0004<' })), '')).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<r t="a">b\n<c><![CDATA[c]]></c>\n<d><![CDATA[d&lt;]]></d>\n</r>',
    );
  });
});

describe('RSS and Atom through the writer', () => {
  const entityish = issue('amp', { title: 'AT&amp;T <b>', tags: ['R&amp;D'], html: '<p><code>&amp;amp;</code></p>' });
  const spec = siteFeed(siteConfig(), [entityish]);

  /** What an XML parser reads: entry/item title, category label or text, and the body. */
  function parsed(file: string): { title: string; category: string; body: string } {
    const script = `
import json, sys, html, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
A = "{http://www.w3.org/2005/Atom}"
if root.tag == A + "feed":
    e = root.find(A + "entry")
    print(json.dumps({"title": e.find(A + "title").text, "category": e.find(A + "category").get("label"), "body": e.find(A + "content").text}))
else:
    i = root.find("channel/item")
    # RSS titles are HTML: what a reader shows is the HTML's text.
    print(json.dumps({"title": html.unescape(i.find("title").text), "category": i.find("category").text,
                      "body": i.find("{http://purl.org/rss/1.0/modules/content/}encoded").text}))
`;
    return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }));
  }

  it('readers get back exactly the text and HTML written, `&amp;` included', () => {
    for (const file of [tempFile('feed.xml', renderRss(spec)), tempFile('atom.xml', renderAtom(spec))]) {
      xmllint(file);
      expect(parsed(file)).toEqual({ title: 'AT&amp;T <b>', category: 'R&amp;D', body: '<p><code>&amp;amp;</code></p>' });
    }
  });
});
