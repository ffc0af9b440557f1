// The one XML writer for RSS and Atom: format modules describe a tree of plain values and this
// module serializes it with xmlbuilder2, which escapes every text and attribute value. The format
// modules escape nothing; this module's own part is the one ampersand case below. Every string
// first loses the characters XML 1.0 forbids (cleanText): xmlbuilder2 does not remove them.
// xmlbuilder2 4 leaves an `&` that starts something like a reference (`&amp;`, `&#38;`) as it is,
// taking it for one the caller wrote; we never write references, so `literal()` hands it exactly
// those ampersands as `&amp;` (it escapes every other one itself). Without this, a body showing
// `&amp;` in code, or a link with `&amp;` in its query, would lose one level of escaping.
// Indentation is written here, not by xmlbuilder2's prettyPrint, which would put a line break
// between the two CDATA sections of a body containing `]]>` (changing the body).
import { escapeText as htmlEscapeText } from 'entities';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
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

/** The ampersands xmlbuilder2 would not escape: those followed by a name or number and `;`. */
const REFERENCE_LIKE = /&(?=[A-Za-z]+;|#\d+;)/g;

function literal(value: string): string {
  const clean = cleanText(value);
  return clean.includes('&') ? clean.replace(REFERENCE_LIKE, '&amp;') : clean;
}

const DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

/** The document: declaration, then the root element indented by `indent` per level. */
export function serializeXml(root: XmlElement, indent: string): string {
  const doc = create();
  write(doc, root, indent, 0);
  return DECLARATION + doc.end({ headless: true });
}

/** One element as an HTML fragment (no declaration, no indentation), escaped like the feeds. */
export function serializeFragment(node: XmlElement): string {
  const doc = create();
  write(doc, node, undefined, 0);
  return doc.end({ headless: true });
}

/** `indent` undefined: no whitespace between elements (an HTML fragment). */
function write(parent: XMLBuilder, node: XmlElement, indent: string | undefined, depth: number): void {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(node.attributes ?? {})) if (value !== undefined) attributes[key] = literal(value);
  const element = parent.ele(node.name, attributes);
  const children = node.children ?? [];
  const nested = indent !== undefined && children.some((c) => 'name' in c);
  for (const child of children) {
    if ('name' in child) {
      if (nested) element.txt(`\n${indent?.repeat(depth + 1)}`);
      write(element, child, indent, depth + 1);
    } else if ('text' in child) {
      element.txt(literal(child.text));
    } else if ('plainTitle' in child && !READS_AS_MARKUP.test(child.plainTitle)) {
      element.txt(literal(cleanText(child.plainTitle)));
    } else {
      const html = 'cdata' in child ? cleanText(child.cdata) : htmlEscapeText(cleanText('plainTitle' in child ? child.plainTitle : child.plainAsHtml));
      // `]]>` cannot appear inside CDATA: end the section after `]]` and start another before `>`.
      const parts = html.split(']]>');
      for (const [i, part] of parts.entries()) element.dat(`${i > 0 ? '>' : ''}${part}${i < parts.length - 1 ? ']]' : ''}`);
    }
  }
  if (nested) element.txt(`\n${indent?.repeat(depth)}`);
}
