// The site's one template set (templates/site/*.liquid): the archive's pages and the service's
// pages (sign-up, confirm, unsubscribe, preferences, messages, errors) share layout.liquid, its
// header, stylesheet and footer. Values from config, an issue or a request are escaped by the
// templates; only Issue.html (sanitized by the loader) and bodies rendered here go in as HTML.
// Archive links are relative, so the folder can be served from any path; canonical and feed
// links are absolute (from site.url).
import type { Config } from '../config/config.js';
import { siteFeedUrls } from '../feeds/model.js';
import { messages } from '../i18n/catalogue.js';
import { pageTemplates, type PageTemplates, type SafeHtml } from './engine.js';
import { NAMED_ENCODING } from './escape.js';

export interface PageFeeds {
  title: string;
  rss: string;
  atom: string;
  json: string;
}

/** What layout.liquid shows around every page. */
export interface PageOptions {
  title: string;
  /** Path from this page to the site root, e.g. "" or "../../", or "/" for the service's pages. */
  root: string;
  /** null for a page that must not be indexed or leak its URL (the service's pages carry tokens). */
  canonical: string | null;
  lang: string;
  /** null when the page has none (every value is given: a missing one costs Liquid an exception). */
  description: string | null;
  feeds: PageFeeds;
}

/** The formats' own names, the same in every language (so not in the catalogue). */
const FORMAT_NAMES = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' } as const;

let templates: PageTemplates | undefined;
const siteTemplates = () => (templates ??= pageTemplates('site', NAMED_ENCODING));

/** Renders templates/site/<name>.liquid inside the layout. */
export function page(config: Config, name: string, p: PageOptions, values: object): string {
  const { title, description, language } = config.site;
  // The fixed words come from the site's catalogue (src/i18n/).
  const t = messages(language, { site: title });
  return siteTemplates().render(name, { ...p, site: { title, description: description || null }, home: p.root || './', t, formats: FORMAT_NAMES, ...values });
}

/** A part of a page (a form, a message) from templates/site/<name>.liquid, without the layout. */
export function part(name: string, values: object): SafeHtml {
  return siteTemplates().render(name, values);
}

/** A service page: its heading and a body made by part(), in the layout, served from the site root. */
export function servicePage(config: Config, heading: string, body: SafeHtml): string {
  const shell: PageOptions = {
    title: `${heading} · ${config.site.title}`,
    root: '/',
    canonical: null,
    lang: config.site.language,
    description: null,
    feeds: { title: config.site.title, ...siteFeedUrls(config) },
  };
  return page(config, 'service', shell, { heading, body });
}
