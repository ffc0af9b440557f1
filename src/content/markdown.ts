// Markdown -> safe HTML for feeds, the archive and email: marked (GFM), then sanitize-html.
// Every link and image ends up absolute, because feed readers and mail clients have no base URL.
import { Marked, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { absoluteUrl } from './urls.js';

export { absoluteUrl };

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
const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
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
};

/** Something the sanitizer took out of an issue, so `check` can say what and where instead of dropping it silently. */
export interface Removal {
  /** e.g. 'an <iframe> element', 'the onclick attribute of an <img>', 'an image with a data: URL' */
  what: string;
  /** Line in the Markdown body (1 = its first line), when the removed text can be found there. */
  line?: number;
}

/**
 * Renders the Markdown body of an issue. `issueUrl` resolves bundle-relative paths (img.png);
 * site-relative paths (/blog/x) resolve against the same origin. What the sanitizer removes is
 * pushed onto `removed` when given.
 */
export function renderMarkdown(markdown: string, issueUrl: string, removed?: Removal[]): string {
  headingIds = new Map();
  const rawHtml = marked.parse(markdown, { async: false });
  if (!removed) return sanitizeIssueHtml(rawHtml, issueUrl);
  const found: Array<{ what: string; needle: RegExp }> = [];
  const html = sanitizeIssueHtml(rawHtml, issueUrl, (name, attribs) => found.push(...removalsOf(name, attribs, issueUrl)));
  removed.push(...locate(markdown, found));
  return html;
}

function sanitizeIssueHtml(html: string, baseUrl: string, onOpenTag?: (name: string, attribs: Record<string, string>) => void): string {
  return sanitizeHtml(html, {
    onOpenTag,
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
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

/**
 * What the sanitizer will take out of one opening tag: an element it does not allow, an event
 * handler attribute, a link or image whose URL is not http(s) (e.g. data:, javascript:). Style,
 * class and other presentational attributes are dropped too, as a matter of course, unreported.
 * Each comes with the text to look for in the Markdown source to find its line.
 */
function removalsOf(name: string, attribs: Record<string, string>, baseUrl: string): Array<{ what: string; needle: RegExp }> {
  // marked writes the checkboxes of GFM task lists itself; they are not the author's HTML.
  if (name === 'input' && attribs.type === 'checkbox') return [];
  if (!ALLOWED_TAGS.includes(name)) return [{ what: `${article(name)} <${name}> element`, needle: new RegExp(`<${escapeRegExp(name)}\\b`, 'gi') }];
  const removals: Array<{ what: string; needle: RegExp }> = [];
  for (const attribute of Object.keys(attribs)) {
    if (/^on/i.test(attribute)) removals.push({ what: `the ${attribute} attribute of ${article(name)} <${name}>`, needle: new RegExp(`\\b${escapeRegExp(attribute)}\\s*=`, 'gi') });
  }
  const url = name === 'img' ? attribs.src : name === 'a' ? attribs.href : undefined;
  if (url !== undefined) {
    const absolute = absoluteUrl(url, baseUrl);
    const safe = absolute !== null && (name === 'a' || /^https?:/.test(absolute));
    if (!safe) {
      const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
      const kind = scheme ? `a ${scheme}: URL` : 'a URL that is not http(s)';
      const what = name === 'img' ? `an image with ${kind} (images must be http(s) URLs or files of the bundle)` : `the target of a link with ${kind}`;
      removals.push({ what, needle: new RegExp(escapeRegExp(url.trim().slice(0, 40)), 'g') });
    }
  }
  return removals;
}

/** Gives each removal the line of the next unclaimed match of its needle in the Markdown (the sanitizer sees tags in source order). */
function locate(markdown: string, found: Array<{ what: string; needle: RegExp }>): Removal[] {
  const seen = new Map<string, number>();
  return found.map(({ what, needle }) => {
    const key = `${needle.source}/${needle.flags}`;
    const nth = seen.get(key) ?? 0;
    seen.set(key, nth + 1);
    const match = [...markdown.matchAll(needle)][nth];
    return match === undefined ? { what } : { what, line: lineOf(markdown, match.index) };
  });
}

/** 1-based line of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function article(name: string): string {
  return /^[aeiou]/i.test(name) ? 'an' : 'a';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
