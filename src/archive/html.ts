// The shared page shell. Every value that comes from config or an issue is escaped here or
// by the caller with escapeText/escapeAttr; only Issue.html (sanitized by the loader) is
// inserted as HTML. Links inside the archive are relative, so the folder can be served from
// any path; canonical and feed links are absolute (from site.url).
import type { Config } from '../config/config.js';
import { escapeAttr, escapeText } from '../feeds/text.js';

export { escapeAttr, escapeText };

export interface PageFeeds {
  title: string;
  rss: string;
  atom: string;
  json: string;
}

export interface PageOptions {
  title: string;
  /** Path from this page to the site root, e.g. "" or "../../". */
  root: string;
  canonical: string;
  lang: string;
  description?: string;
  feeds: PageFeeds;
  body: string;
}

export function page(config: Config, p: PageOptions): string {
  const { site } = config;
  return `<!doctype html>
<html lang="${escapeAttr(p.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeText(p.title)}</title>
${p.description ? `<meta name="description" content="${escapeAttr(p.description)}">\n` : ''}<link rel="canonical" href="${escapeAttr(p.canonical)}">
<link rel="alternate" type="application/rss+xml" title="${escapeAttr(p.feeds.title)} (RSS)" href="${escapeAttr(p.feeds.rss)}">
<link rel="alternate" type="application/atom+xml" title="${escapeAttr(p.feeds.title)} (Atom)" href="${escapeAttr(p.feeds.atom)}">
<link rel="alternate" type="application/feed+json" title="${escapeAttr(p.feeds.title)} (JSON Feed)" href="${escapeAttr(p.feeds.json)}">
<link rel="stylesheet" href="${escapeAttr(p.root)}style.css">
</head>
<body>
<div class="wrap">
<header class="site">
<a class="home" href="${escapeAttr(p.root || './')}">${escapeText(site.title)}</a>
${site.description ? `<p>${escapeText(site.description)}</p>\n` : ''}</header>
<main>
${p.body}
</main>
<footer class="site">
<p>Feeds: <a href="${escapeAttr(p.feeds.rss)}">RSS</a> · <a href="${escapeAttr(p.feeds.atom)}">Atom</a> · <a href="${escapeAttr(p.feeds.json)}">JSON Feed</a></p>
</footer>
</div>
</body>
</html>
`;
}
