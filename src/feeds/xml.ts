// The one XML writer for RSS and Atom: format modules describe a tree of plain values and this
// module serializes it, escaping every text and attribute value (every `&`, `<` and `>`, and `"`
// in attributes). The format modules escape nothing. Every string first loses the characters
// XML 1.0 forbids (cleanText). It writes what xmlbuilder2 wrote for these trees until 2026-12-04,
// byte for byte (test/feeds/xml.test.ts keeps xmlbuilder2 as the reference), without building
// a DOM first: on a cold build of 1,000 issues the DOM cost ~1.5 s of CPU, and loading
// xmlbuilder2 ~0.17 s per process. Like xmlbuilder2, an empty text or CDATA child is written as
// nothing but still makes its element non-empty (`<a></a>`, not `<a/>`).
// Indentation is written here; the two CDATA sections of a body containing `]]>` stay on one line.
import { escapeText as htmlEscapeText } from 'entities';
import { cleanText } from './text.js';

export interface XmlElement {
  name: string;
  /** Attributes in order; undefined ones are left out. */
  attributes?: Record<string, string | undefined>;
  children?: XmlChild[];
}

export type XmlChild =
  | XmlElement
  /** Character data, escaped by the serializer. */
  | { text: string }
  /** HTML, written as CDATA (split around `]]>`). */
  | { cdata: string }
  /**
   * Plain text for an element readers render as HTML (RSS <description>): written as the HTML that
   * shows it literally (`<` as `&lt;`), inside CDATA.
   */
  | { plainAsHtml: string }
  /**
   * Plain text for RSS <title>, which readers disagree on: newsboat and sfeed take it as text
   * (they would show a `&lt;` written for HTML), feedparser as HTML when it looks like markup.
   * Text that reads the same both ways (no `<`, `>` or `&name;`) is plain character data; other
   * text is written as plainAsHtml, so no reader turns a `<templates>` into a tag.
   */
  | { plainTitle: string };

/** Text an HTML-reading reader would show differently from a text-reading one. */
const READS_AS_MARKUP = /[<>]|&(?:[A-Za-z][A-Za-z0-9]*|#\d+|#x[0-9A-Fa-f]+);/;

/** An element with the given attributes and children (strings become text). */
export function el(name: string, attributes: Record<string, string | undefined> = {}, ...children: Array<XmlChild | string>): XmlElement {
  return { name, attributes, children: children.map((c) => (typeof c === 'string' ? { text: c } : c)) };
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escapeText = (value: string) => cleanText(value).replace(/[&<>]/g, (c) => TEXT_ESCAPES[c]!);
const escapeAttribute = (value: string) => cleanText(value).replace(/[&<>"]/g, (c) => TEXT_ESCAPES[c]!);

const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

/** The document: declaration, then the root element indented by `indent` per level. */
export function serializeXml(root: XmlElement, indent: string): string {
  const out: string[] = [DECLARATION];
  write(out, root, indent, 0);
  return out.join('');
}

/** One element as an HTML fragment (no declaration, no indentation), escaped like the feeds. */
export function serializeFragment(node: XmlElement): string {
  const out: string[] = [];
  write(out, node, undefined, 0);
  return out.join('');
}

/** `indent` undefined: no whitespace between elements (an HTML fragment). */
function write(out: string[], node: XmlElement, indent: string | undefined, depth: number): void {
  out.push('<', node.name);
  for (const [key, value] of Object.entries(node.attributes ?? {})) if (value !== undefined) out.push(' ', key, '="', escapeAttribute(value), '"');
  const children = node.children ?? [];
  if (children.length === 0) {
    out.push('/>');
    return;
  }
  out.push('>');
  const nested = indent !== undefined && children.some((c) => 'name' in c);
  for (const child of children) {
    if ('name' in child) {
      if (nested) out.push(`\n${indent?.repeat(depth + 1)}`);
      write(out, child, indent, depth + 1);
    } else if ('text' in child) {
      out.push(escapeText(child.text));
    } else if ('plainTitle' in child && !READS_AS_MARKUP.test(child.plainTitle)) {
      out.push(escapeText(child.plainTitle));
    } else {
      const html = 'cdata' in child ? cleanText(child.cdata) : htmlEscapeText(cleanText('plainTitle' in child ? child.plainTitle : child.plainAsHtml));
      // `]]>` cannot appear inside CDATA: end the section after `]]` and start another before `>`.
      const parts = html.split(']]>');
      for (const [i, part] of parts.entries()) {
        const data = `${i > 0 ? '>' : ''}${part}${i < parts.length - 1 ? ']]' : ''}`;
        if (data !== '') out.push('<![CDATA[', data, ']]>');
      }
    }
  }
  if (nested) out.push(`\n${indent?.repeat(depth)}`);
  out.push('</', node.name, '>');
}
