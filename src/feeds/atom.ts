// Atom 1.0, written by this module rather than by `feed`: feed 6.0.0's atom1() has no
// xml:lang, writes category labels with a raw `<` (not well-formed), guesses enclosure types
// from whatever follows the last dot, prints only UTC dates, defaults `updated` to now and
// throws on non-URL ids. Working around five gaps in one output by string surgery would be
// more fragile than these few lines. What we do instead:
// - <feed xml:lang> from the site language, <entry xml:lang> when an issue has its own;
// - <category term label> with escaped values (term = topic slug, label = as written);
// - cover as <link rel="enclosure"> with a type only when the extension tells it;
// - <published>/<updated> in the issue's own offset; the feed's <updated> = newest issue;
// - <id> = tag: URI from ids.ts.
import { issueTopics, type Issue } from '../content/issue.js';
import { rfc3339 } from './dates.js';
import { issueId } from './ids.js';
import { imageTypeFromUrl, isHttpUrl } from './media.js';
import type { FeedSpec } from './model.js';
import { escapeAttr, escapeText } from './text.js';
import { topicSlug } from './topics.js';

export function renderAtom(spec: FeedSpec): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeAttr(spec.language)}">`,
    `  <id>${escapeText(spec.homeUrl)}</id>`,
    `  <title>${escapeText(spec.title)}</title>`,
  ];
  if (spec.description) out.push(`  <subtitle>${escapeText(spec.description)}</subtitle>`);
  out.push(
    `  <updated>${rfc3339(spec.updated)}</updated>`,
    `  <link rel="alternate" type="text/html" href="${escapeAttr(spec.homeUrl)}"/>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeAttr(spec.urls.atom)}"/>`,
    ...author(spec.author, '  '),
    '  <generator>Pressroom</generator>',
  );
  for (const issue of spec.items) out.push(...entry(spec, issue));
  out.push('</feed>', '');
  return out.join('\n');
}

function author(a: { name: string; url?: string; email?: string }, indent: string): string[] {
  const lines = [`${indent}<author>`, `${indent}  <name>${escapeText(a.name)}</name>`];
  if (a.email) lines.push(`${indent}  <email>${escapeText(a.email)}</email>`);
  if (isHttpUrl(a.url)) lines.push(`${indent}  <uri>${escapeText(a.url)}</uri>`);
  lines.push(`${indent}</author>`);
  return lines;
}

function entry(spec: FeedSpec, issue: Issue): string[] {
  const lang = issue.lang && issue.lang !== spec.language ? ` xml:lang="${escapeAttr(issue.lang)}"` : '';
  const date = rfc3339(issue.date);
  const lines = [
    `  <entry${lang}>`,
    `    <id>${escapeText(issueId(spec.siteUrl, issue.slug))}</id>`,
    `    <title type="text">${escapeText(issue.title)}</title>`,
    `    <link rel="alternate" type="text/html" href="${escapeAttr(issue.url)}"/>`,
    `    <published>${date}</published>`,
    `    <updated>${date}</updated>`,
  ];
  for (const a of issue.authors) lines.push(...author(a, '    '));
  for (const label of issueTopics(issue)) {
    const trimmed = label.trim();
    if (!trimmed) continue;
    lines.push(`    <category term="${escapeAttr(topicSlug(trimmed))}" label="${escapeAttr(trimmed)}"/>`);
  }
  if (isHttpUrl(issue.cover)) {
    const type = imageTypeFromUrl(issue.cover);
    const typeAttr = type ? ` type="${type}"` : '';
    lines.push(`    <link rel="enclosure"${typeAttr} href="${escapeAttr(new URL(issue.cover).href)}"/>`);
  }
  if (issue.description) lines.push(`    <summary type="text">${escapeText(issue.description)}</summary>`);
  lines.push(`    <content type="html">${escapeText(issue.html)}</content>`, '  </entry>');
  return lines;
}
