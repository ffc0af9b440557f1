// The search index writer against MiniSearch itself: the same documents give the same JSON, byte
// for byte, on the whole corpus (Chinese and English text, thousands of terms splitting the radix
// tree's edges) and on small cases that exercise each edge split and an empty field.
import { createRequire } from 'node:module';
import MiniSearch, { type Options } from 'minisearch';
import { describe, expect, it } from 'vitest';
import { loadIssues } from '../../src/content/load.js';
import { plainTextOf } from '../../src/feeds/text.js';
import { miniSearchJson } from '../../src/search/writer.js';
import { projectRoot } from '../support/paths.js';
import { CORPUS, siteConfig } from '../feeds/helpers.js';

interface Doc {
  id: string;
  title: string;
  topics: string;
  text: string;
  url: string;
}

const { INDEX_OPTIONS } = createRequire(import.meta.url)(`${projectRoot}/templates/site/search/options.js`) as { INDEX_OPTIONS: Options<Doc> };

function miniSearchOf(options: Options<Doc>, docs: Doc[]): string {
  const index = new MiniSearch<Doc>(options);
  index.addAll(docs);
  return JSON.stringify(index);
}

const doc = (id: string, title: string, text: string, topics = ''): Doc => ({ id, title, topics, text, url: `issues/${id}/` });

describe('miniSearchJson', () => {
  it('writes what MiniSearch writes for the corpus issues, in parts of 100', async () => {
    const config = siteConfig({ title: 'SOFA Weekly' });
    config.issuesDir = CORPUS;
    const { issues } = await loadIssues(config, { threads: 0 });
    const docs = issues.map((issue) => doc(issue.slug, issue.title, plainTextOf(issue.html), issue.tags.join(' ')));
    expect(docs.length).toBeGreaterThan(150);
    for (const part of [docs.slice(0, 100), docs.slice(100)]) {
      expect(miniSearchJson(INDEX_OPTIONS, part)).toBe(miniSearchOf(INDEX_OPTIONS, part));
    }
  });

  it('splits edges, counts repeats and skips absent fields as MiniSearch does', () => {
    const docs = [
      doc('a', 'testing tests', 'test tester team tea te t testing'),
      doc('b', 'Team', 'tea tease te 服务网格 服务 务网 服', 'runtime'),
      doc('c', '', ''),
      { ...doc('d', 'no topics', 'zebra zeal zero'), topics: undefined as unknown as string },
    ];
    const defaults: Options<Doc> = { fields: ['title', 'topics', 'text'], storeFields: ['title', 'url'] };
    expect(miniSearchJson({ ...defaults, tokenize: (t) => t.split(' '), processTerm: (t) => t.toLowerCase() || null }, docs)).toBe(
      miniSearchOf({ ...defaults, tokenize: (t) => t.split(' '), processTerm: (t) => t.toLowerCase() || null }, docs),
    );
    expect(miniSearchJson(INDEX_OPTIONS, docs)).toBe(miniSearchOf(INDEX_OPTIONS, docs));
  });

  it('refuses a duplicate id, as MiniSearch does', () => {
    expect(() => miniSearchJson(INDEX_OPTIONS, [doc('a', 'x', 'y'), doc('a', 'z', 'w')])).toThrow('duplicate ID a');
  });
});
