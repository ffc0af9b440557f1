// The message catalogue: which language a site speaks (site.language) and its strings, with
// values filled in as plain text. Nothing here makes HTML: the Liquid templates escape every
// string they print, catalogue strings and the values inside them alike.
import { EN, type MessageKey } from './en.js';
import { ZH_CN } from './zh-cn.js';

export type { MessageKey };

export type CatalogueLanguage = 'en' | 'zh-CN';

export const CATALOGUES: Record<CatalogueLanguage, Record<MessageKey, string>> = { en: EN, 'zh-CN': ZH_CN };

/** zh, zh-CN, zh-Hans (and zh-Hans-CN) speak Simplified Chinese; every other language tag English. */
export function catalogueLanguage(siteLanguage: string): CatalogueLanguage {
  return /^zh(-cn|-hans(-cn)?)?$/i.test(siteLanguage.trim().replaceAll('_', '-')) ? 'zh-CN' : 'en';
}

export type Fill = Partial<Record<'site' | 'email' | 'topics', string>>;

/** `{name}` -> the value, as plain text; a placeholder without a value stays as written. */
export function fill(text: string, values: Fill): string {
  return text.replace(/\{(site|email|topics)\}/g, (whole, name: keyof Fill) => values[name] ?? whole);
}

/** What the pages and emails print: every string of one language with the given values filled in. */
export function messages(siteLanguage: string, values: Fill): Record<MessageKey, string> {
  const catalogue = CATALOGUES[catalogueLanguage(siteLanguage)];
  return Object.fromEntries(Object.entries(catalogue).map(([key, text]) => [key, fill(text, values)])) as Record<MessageKey, string>;
}
