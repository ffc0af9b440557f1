// The archive's templates (templates/archive/*.liquid, with the shared layout.liquid). Values
// from config or an issue are escaped by the templates; only Issue.html (sanitized by the
// loader) is inserted as HTML. Links inside the archive are relative, so the folder can be
// served from any path; canonical and feed links are absolute (from site.url).
import type { Config } from '../config/config.js';
import { messages } from '../i18n/catalogue.js';
import { pageTemplates, type PageTemplates } from '../templates/engine.js';
import { NAMED_ENCODING } from '../templates/escape.js';

export interface PageFeeds {
  title: string;
  rss: string;
  atom: string;
  json: string;
}

/** What layout.liquid shows around every page. */
export interface PageOptions {
  title: string;
  /** Path from this page to the site root, e.g. "" or "../../". */
  root: string;
  canonical: string;
  lang: string;
  /** null when the page has none (every value is given: a missing one costs Liquid an exception). */
  description: string | null;
  feeds: PageFeeds;
}

/** The formats' own names, the same in every language (so not in the catalogue). */
const FORMAT_NAMES = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' } as const;

let templates: PageTemplates | undefined;

/** Renders templates/archive/<name>.liquid inside the layout. */
export function page(config: Config, name: string, p: PageOptions, values: object): string {
  templates ??= pageTemplates('archive', NAMED_ENCODING);
  const { title, description, language } = config.site;
  // The fixed words come from the site's catalogue (src/i18n/), as the service pages' do.
  const t = messages(language, { site: title });
  return templates.render(name, { ...p, site: { title, description: description || null }, home: p.root || './', t, formats: FORMAT_NAMES, ...values });
}
