// The one XML writer for RSS and Atom (src/feeds/xml.ts): what xmlbuilder2 alone would get wrong.
import { execFileSync } from 'node:child_process';
import { escapeText as htmlEscapeText } from 'entities';
import { describe, expect, it } from 'vitest';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { loadIssues } from '../../src/content/load.js';
import { siteFeedWithArchives } from '../../src/feeds/archives.js';
import { atomTree, renderAtom } from '../../src/feeds/atom.js';
import { siteFeed, topicFeed } from '../../src/feeds/model.js';
import { renderRss, rssTree } from '../../src/feeds/rss.js';
import { cleanText } from '../../src/feeds/text.js';
import { groupTopics } from '../../src/feeds/topics.js';
import { el, serializeFragment, serializeXml, type XmlElement } from '../../src/feeds/xml.js';
import { CORPUS, issue, siteConfig, tempFile, xmllint } from './helpers.js';

/**
 * The writer as it was until 2026-12-04, on xmlbuilder2's DOM: the reference the hand-written
 * serializer must match byte for byte (READS_AS_MARKUP and the ampersand rule copied from it).
 */
function xmlbuilder2Reference(root: XmlElement, indent: string | undefined): string {
  const READS_AS_MARKUP = /[<>]|&(?:[A-Za-z][A-Za-z0-9]*|#\d+|#x[0-9A-Fa-f]+);/;
  const literal = (value: string) => cleanText(value).replace(/&(?=[A-Za-z]+;|#\d+;)/g, '&amp;');
  const write = (parent: XMLBuilder, node: XmlElement, depth: number): void => {
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(node.attributes ?? {})) if (value !== undefined) attributes[key] = literal(value);
    const element = parent.ele(node.name, attributes);
    const children = node.children ?? [];
    const nested = indent !== undefined && children.some((c) => 'name' in c);
    for (const child of children) {
      if ('name' in child) {
        if (nested) element.txt(`\n${indent?.repeat(depth + 1)}`);
        write(element, child, depth + 1);
      } else if ('text' in child) {
        element.txt(literal(child.text));
      } else if ('plainTitle' in child && !READS_AS_MARKUP.test(child.plainTitle)) {
        element.txt(literal(cleanText(child.plainTitle)));
      } else {
        const html = 'cdata' in child ? cleanText(child.cdata) : htmlEscapeText(cleanText('plainTitle' in child ? child.plainTitle : child.plainAsHtml));
        const parts = html.split(']]>');
        for (const [i, part] of parts.entries()) element.dat(`${i > 0 ? '>' : ''}${part}${i < parts.length - 1 ? ']]' : ''}`);
      }
    }
    if (nested) element.txt(`\n${indent?.repeat(depth)}`);
  };
  const doc = create();
  write(doc, root, 0);
  return (indent === undefined ? '' : '<?xml version="1.0" encoding="utf-8"?>\n') + doc.end({ headless: true });
}

describe('the serializer against xmlbuilder2 (the writer it replaced)', () => {
  const HOSTILE = ['', 'AT&amp;T &copy; &#38; &#x26; & <b> "q" \'a\'', 'a]]>b]]>', ']]>', ']]', 'x\u0001y\uFFFE', 'C++ <templates>', '服务网格 &nbsp;', '&', '>'];

  it('writes the same bytes for every feed document of the corpus (site, archives, topics; RSS and Atom)', async () => {
    const config = siteConfig({ title: 'SOFA Weekly', feedItems: 20 });
    config.issuesDir = CORPUS;
    const { issues } = await loadIssues(config, { threads: 0 });
    const { feed, archives } = siteFeedWithArchives(config, issues);
    const specs = [feed, ...archives.map((a) => a.spec), ...groupTopics(issues).map((t) => topicFeed(config, t))];
    expect(archives.length).toBeGreaterThan(3);
    for (const spec of specs) {
      expect(serializeXml(rssTree(spec), '    ')).toBe(xmlbuilder2Reference(rssTree(spec), '    '));
      expect(serializeXml(atomTree(spec), '  ')).toBe(xmlbuilder2Reference(atomTree(spec), '  '));
    }
  });

  it('writes the same bytes for hostile text, attributes, titles, CDATA and empty children', () => {
    for (const value of HOSTILE) {
      const tree = el(
        'r',
        { a: value, b: undefined, 'xmlns:x': 'urn:x' },
        value,
        el('x:c', {}, { cdata: value }),
        el('d', {}, { plainAsHtml: value }),
        el('t', {}, { plainTitle: value }),
        el('e', {}),
        el('f', { g: value }, ''),
        el('h', {}, el('i', {}, value, el('j', {})), value),
      );
      for (const indent of ['  ', '', undefined]) {
        const ours = indent === undefined ? serializeFragment(tree) : serializeXml(tree, indent);
        expect(ours).toBe(xmlbuilder2Reference(tree, indent));
      }
    }
  });
});

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
