// Markdown -> safe HTML for feeds, the archive and email: marked (GFM), then sanitize-html.
// Every link and image ends up absolute, because feed readers and mail clients have no base URL.
import { Marked, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';

let headingIds = new Map<string, number>();

const marked = new Marked({
  gfm: true,
  renderer: {
    heading(this: { parser: { parseInline(tokens: Tokens.Generic[]): string } }, token: Tokens.Heading): string {
      const inner = this.parser.parseInline(token.tokens);
      return `<h${token.depth} id="${uniqueHeadingId(token.text)}">${inner}</h${token.depth}>\n`;
    },
  },
});

/** GitHub-style heading ids: lower case, punctuation dropped, spaces to '-', CJK kept; repeats get -1, -2. */
function uniqueHeadingId(text: string): string {
  const base =
    text
      .replace(/<[^>]*>/g, '')
      .toLowerCase()
      .trim()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s+/g, '-') || 'section';
  const seen = headingIds.get(base);
  headingIds.set(base, (seen ?? -1) + 1);
  return seen === undefined ? base : `${base}-${seen + 1}`;
}

const ALLOWED_TAGS = [...sanitizeHtml.defaults.allowedTags.filter((tag) => tag !== 'style'), 'img', 'del', 'ins', 'sup', 'sub', 'details', 'summary'];

/**
 * Renders the Markdown body of an issue. `issueUrl` resolves bundle-relative paths (img.png);
 * site-relative paths (/blog/x) resolve against the same origin.
 */
export function renderMarkdown(markdown: string, issueUrl: string): string {
  headingIds = new Map();
  const rawHtml = marked.parse(markdown, { async: false });
  return sanitizeIssueHtml(rawHtml, issueUrl);
}

export function sanitizeIssueHtml(html: string, baseUrl: string): string {
  return sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ['href', 'title', 'id'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      code: ['class'],
      h1: ['id'],
      h2: ['id'],
      h3: ['id'],
      h4: ['id'],
      h5: ['id'],
      h6: ['id'],
      th: ['align', 'colspan', 'rowspan'],
      td: ['align', 'colspan', 'rowspan'],
      ol: ['start'],
      input: ['type', 'checked', 'disabled'],
    },
    allowedClasses: { code: [/^language-[\w+#.-]+$/] },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowProtocolRelative: false,
    transformTags: {
      a: (tagName, attribs) => ({ tagName, attribs: withAbsolute(attribs, 'href', baseUrl) }),
      img: (tagName, attribs) => ({ tagName, attribs: withAbsolute(attribs, 'src', baseUrl) }),
    },
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  });
}

function withAbsolute(attribs: sanitizeHtml.Attributes, name: string, baseUrl: string): sanitizeHtml.Attributes {
  const value = attribs[name];
  if (value === undefined) return attribs;
  const absolute = absoluteUrl(value, baseUrl);
  const next = { ...attribs };
  if (absolute === null) delete next[name];
  else next[name] = absolute;
  return next;
}

/**
 * Resolves a link against the issue's URL. Fragment-only links stay as they are; anything that
 * is not http(s) or mailto after resolution is dropped (returns null).
 */
export function absoluteUrl(value: string, baseUrl: string): string | null {
  const trimmed = value.trim();
  if (trimmed.startsWith('#')) return trimmed;
  let url: URL;
  try {
    url = new URL(trimmed, baseUrl);
  } catch {
    return null;
  }
  if (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:') return url.href;
  return null;
}

const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/**
 * How deeply elements nest in sanitized HTML (which escapes every `<` and `>` outside tags).
 * Email rendering and browsers walk the tree recursively, so the loader bounds it.
 */
export function htmlNestingDepth(html: string): number {
  let depth = 0;
  let deepest = 0;
  for (const [, closing, name] of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>/g)) {
    if (VOID_ELEMENTS.has(name!.toLowerCase())) continue;
    if (closing) depth = Math.max(0, depth - 1);
    else deepest = Math.max(deepest, ++depth);
  }
  return deepest;
}
