// The page templates in templates/<family>/*.liquid (archive, service): read once, made
// context-escaped (html-context.ts), parsed once and cached. Every output is escaped for its
// place in the HTML; only `| raw` inserts HTML, and only for values that are already sanitised.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Liquid, type Template } from 'liquidjs';
import type { HtmlEncoding } from './escape.js';
import { ATTRIBUTE_FILTER, contextualize, TEXT_FILTER } from './html-context.js';
import { bundledPath } from './root.js';

/** HTML that came out of a page template: safe to send or to insert with `| raw`. */
export type SafeHtml = string & { readonly __safeHtml: true };

export interface PageTemplates {
  /** Renders templates/<family>/<name>.liquid with the given values. */
  render(name: string, values: object): SafeHtml;
}

const asString = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

export function pageTemplates(family: string, encoding: HtmlEncoding): PageTemplates {
  const dir = bundledPath('templates', family);
  const sources: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.liquid')) continue;
    const file = path.join(dir, name);
    sources[name] = contextualize(readFileSync(file, 'utf8'), path.relative(bundledPath(), file));
  }
  const liquid = new Liquid({
    templates: sources,
    extname: '.liquid',
    cache: true,
    // The safety net for outputs the loader does not see ({% echo %}): attribute-safe everywhere.
    outputEscape: (value: unknown) => encoding.attribute(asString(value)),
    strictVariables: true,
    strictFilters: true,
    lenientIf: true,
    // Conditions mean what they mean in the TypeScript that builds the values ('' is false).
    jsTruthy: true,
  });
  liquid.registerFilter(TEXT_FILTER, { raw: true, handler: (value: unknown) => encoding.text(asString(value)) });
  liquid.registerFilter(ATTRIBUTE_FILTER, { raw: true, handler: (value: unknown) => encoding.attribute(asString(value)) });

  const parsed = new Map<string, Template[]>();
  return {
    render(name, values) {
      let template = parsed.get(name);
      if (!template) parsed.set(name, (template = liquid.parseFileSync(name)));
      return liquid.renderSync(template, values as Record<string, unknown>) as SafeHtml;
    },
  };
}
