// The message catalogue: both languages complete and alike, the language chosen by site.language,
// and no template with words of its own (every word a reader sees comes from the catalogue).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUES, catalogueLanguage, fill, messages } from '../../src/i18n/catalogue.js';
import { projectRoot } from '../support/paths.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the catalogues', () => {
  it('have exactly the same keys, no empty value, and the same placeholders per key', () => {
    const en = CATALOGUES.en;
    const zh = CATALOGUES['zh-CN'];
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [language, catalogue] of Object.entries(CATALOGUES)) {
      for (const [key, text] of Object.entries(catalogue)) expect(text.trim(), `${language} ${key}`).not.toBe('');
    }
    for (const key of Object.keys(en) as Array<keyof typeof en>) expect(placeholders(zh[key]), key).toEqual(placeholders(en[key]));
  });

  it('the Chinese one is Chinese: every sentence has Han characters', () => {
    const han = /\p{Script=Han}/u;
    const latinOnly = Object.entries(CATALOGUES['zh-CN']).filter(([key, text]) => key !== 'topic_separator' && !/^[.。、]$/.test(text) && !han.test(text));
    expect(latinOnly).toEqual([]);
  });
});

describe('catalogueLanguage', () => {
  it('zh, zh-CN and zh-Hans speak Simplified Chinese, whatever the case; everything else English', () => {
    for (const tag of ['zh', 'zh-CN', 'zh-cn', 'zh-Hans', 'zh-hans-CN', 'ZH_CN']) expect(catalogueLanguage(tag), tag).toBe('zh-CN');
    for (const tag of ['en', 'en-GB', 'fr', 'zh-TW', 'zh-Hant', 'zhx', '']) expect(catalogueLanguage(tag), tag).toBe('en');
  });
});

describe('fill and messages', () => {
  it('fills values as plain text, leaving HTML to the templates to escape', () => {
    expect(fill('You are subscribed to {site}.', { site: '<b>R&D</b>' })).toBe('You are subscribed to <b>R&D</b>.');
    expect(fill('{site} about {topics}', { site: 'S' })).toBe('S about {topics}');
    expect(messages('zh-CN', { site: '周报' }).subscribed).toBe('你已订阅 周报。');
    expect(messages('en', { site: 'SOFA Weekly' }).subscribed).toBe("You're subscribed to SOFA Weekly.");
  });
});

/**
 * The words a template writes itself: its text nodes and human-readable attributes once Liquid
 * ({{ }}, {% %}, comments) and style sheets are taken out. Anything with a letter is a word.
 */
function literalWords(source: string): string[] {
  const stripped = source
    .replace(/\{%-?\s*comment\s*-?%\}[\s\S]*?\{%-?\s*endcomment\s*-?%\}/g, ' ')
    .replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, ' ')
    .replace(/<(style|mj-style|mj-attributes)\b[\s\S]*?<\/\1>/g, ' ');
  const words: string[] = [];
  for (const m of stripped.matchAll(/\b(?:title|alt|placeholder|aria-label|label)\s*=\s*"([^"]*)"/g)) if (/\p{L}/u.test(m[1]!)) words.push(m[1]!.trim());
  for (const text of stripped.replace(/<[^>]*>/g, '\n').split('\n')) if (/\p{L}/u.test(text)) words.push(text.trim());
  return words;
}

describe('templates', () => {
  const files = [
    ...readdirSync(path.join(projectRoot, 'templates/site')).map((f) => `templates/site/${f}`),
    ...readdirSync(path.join(projectRoot, 'emails'))
      .filter((f) => f.endsWith('.mjml'))
      .map((f) => `emails/${f}`),
    ...readdirSync(path.join(projectRoot, 'emails/partials')).map((f) => `emails/partials/${f}`),
  ].filter((f) => f.endsWith('.liquid') || f.endsWith('.mjml'));

  it('the check finds words a template writes itself', () => {
    expect(literalWords('<p>Hello {{ name }}</p><img alt="A cover"><style>p{color:red}</style>{% comment %}why{% endcomment %}')).toEqual(['A cover', 'Hello']);
    expect(literalWords('<p>{{ t.hello }} · {{ site }}</p>')).toEqual([]);
  });

  it('no archive page, service page or email template writes words outside the catalogue', () => {
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) expect(literalWords(readFileSync(path.join(projectRoot, file), 'utf8')), file).toEqual([]);
  });
});
