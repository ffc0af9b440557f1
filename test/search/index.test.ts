// The search index the build writes, read back and queried with the very options file the browser
// loads (templates/site/search/options.js): CJK cut into pairs on both sides, English words,
// full-width forms, prefixes, ranking by title, and only published issues' public fields stored.
import { createRequire } from 'node:module';
import MiniSearch from 'minisearch';
import { describe, expect, it } from 'vitest';
import { renderSite } from '../../src/build/site.js';
import { searchFiles } from '../../src/search/index.js';
import { ISSUES_PER_PART, SEARCH_INDEX, SEARCH_SCRIPTS } from '../../src/search/paths.js';
import { contentTypeFor } from '../../src/server/static.js';
import { projectRoot } from '../support/paths.js';
import { date, issue, siteConfig } from '../feeds/helpers.js';

const rules = createRequire(import.meta.url)(`${projectRoot}/templates/site/search/options.js`) as {
  tokenize(text: string): string[];
  INDEX_OPTIONS: ConstructorParameters<typeof MiniSearch>[0];
  SEARCH_OPTIONS: Parameters<MiniSearch['search']>[1];
};

const ISSUES = [
  issue('mesh', { title: 'SOFA Weekly | 服务网格专题', html: '<p>MOSN 是一个<strong>云原生</strong>网络代理，支持 Service Mesh。</p>', date: date('2022-11-11T15:00:00+08:00') }),
  issue('seata', {
    title: 'Seata 1.6 发布',
    html: '<p>分布式事务框架 Seata 发布新版本；网格不在本期。</p><pre><code>seata.tx-service-group</code></pre>',
    date: date('2022-11-04T15:00:00+08:00'),
  }),
  issue('layotto', {
    title: 'Layotto weekly',
    html: '<p>Layotto brings the service mesh idea to the application runtime.</p>',
    tags: ['Runtime'],
    date: date('2022-10-28T15:00:00+08:00'),
  }),
];

const load = (json: string) => MiniSearch.loadJSON(json, rules.INDEX_OPTIONS);
const ids = (index: MiniSearch, query: string) => index.search(query, rules.SEARCH_OPTIONS).map((hit) => hit.id);

describe('the tokenizer (one file for the build and the browser)', () => {
  it('cuts CJK runs into overlapping pairs and other text into lower-case words', () => {
    expect(rules.tokenize('服务网格 Service-Mesh')).toEqual(['服务', '务网', '网格', 'service', 'mesh']);
    expect(rules.tokenize('MOSN是云原生')).toEqual(['mosn', '是云', '云原', '原生']);
    expect(rules.tokenize('云 x')).toEqual(['云', 'x']);
  });

  it('folds full-width forms (NFKC) so ＳＯＦＡ and ＳＯＦＡ１ find sofa', () => {
    expect(rules.tokenize('ＳＯＦＡ１')).toEqual(['sofa1']);
  });
});

describe('the index', () => {
  const index = load(searchFiles(ISSUES).get('search/part-0.json')!);

  it('finds a Chinese phrase by all of its pairs, not by one character in common', () => {
    expect(ids(index, '服务网格')).toEqual(['mesh']);
    expect(ids(index, '云原生')).toEqual(['mesh']);
    // 网格 alone is in two issues; 事务 in one.
    expect(ids(index, '网格').sort()).toEqual(['mesh', 'seata']);
    expect(ids(index, '事务')).toEqual(['seata']);
  });

  it('finds a single CJK character through the pairs it begins', () => {
    expect(ids(index, '云')).toEqual(['mesh']);
  });

  it('finds English words in any case, an unfinished last word, and code', () => {
    expect(ids(index, 'LAYOTTO')).toEqual(['layotto']);
    expect(ids(index, 'service mesh').sort()).toEqual(['layotto', 'mesh']);
    expect(ids(index, 'runti')).toEqual(['layotto']);
    expect(ids(index, 'group')).toEqual(['seata']);
    expect(ids(index, 'kubernetes')).toEqual([]);
  });

  it('ranks a title match first and stores what the result list shows', () => {
    const [first] = index.search('seata', rules.SEARCH_OPTIONS);
    expect(first).toMatchObject({ id: 'seata', title: 'Seata 1.6 发布', url: 'issues/seata/', date: '2022-11-04' });
    expect(first!.summary).toContain('分布式事务框架');
  });
});

describe('the build', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const files = renderSite(siteConfig({ language: 'zh-CN' }), [...ISSUES, issue('draft', { title: '草稿 服务网格', draft: true })], { now });

  it('writes the search page, its index of published issues only, and its three scripts', () => {
    for (const name of ['search/index.html', SEARCH_INDEX, 'search/part-0.json', ...SEARCH_SCRIPTS]) expect(files.has(name), name).toBe(true);
    expect(JSON.parse(files.get(SEARCH_INDEX)!)).toEqual({ parts: ['part-0.json'] });
    const index = load(files.get('search/part-0.json')!);
    expect(ids(index, '服务网格')).toEqual(['mesh']);
    expect(index.documentCount).toBe(3);
    const page = files.get('search/index.html')!;
    expect(page).toContain('<script type="module" src="search.js"></script>');
    expect(page).toContain('data-count="找到 {count} 期。"');
    expect(files.get('search/search.js')).toContain("import MiniSearch from './minisearch.js';");
    expect(files.get('search/minisearch.js')).toMatch(/export \{ MiniSearch as default \};\s*$/);
  });

  it('cuts the index into parts of the oldest issues first, so a new issue changes only the newest part', () => {
    const many = Array.from({ length: ISSUES_PER_PART + 5 }, (_, i) =>
      issue(`n${i}`, { title: `第 ${i} 期`, html: `<p>w${i}z</p>`, date: date(new Date(Date.UTC(2020, 0, 1 + i)).toISOString()) }),
    );
    const newestFirst = [...many].reverse();
    const before = searchFiles(newestFirst);
    const after = searchFiles([issue('newest', { html: '<p>brandnew</p>', date: date('2026-01-01T00:00:00Z') }), ...newestFirst]);
    expect(JSON.parse(after.get(SEARCH_INDEX)!)).toEqual({ parts: ['part-0.json', 'part-1.json'] });
    expect(after.get('search/part-0.json')).toBe(before.get('search/part-0.json'));
    expect(after.get('search/part-1.json')).not.toBe(before.get('search/part-1.json'));
    expect(ids(load(after.get('search/part-0.json')!), 'w0z')).toEqual(['n0']);
    expect(ids(load(after.get('search/part-1.json')!), 'brandnew')).toEqual(['newest']);
  });

  it('links the search page from every page header', () => {
    expect(files.get('index.html')).toContain('<a href="search/">搜索</a>');
    expect(files.get('issues/mesh/index.html')).toContain('<a href="../../search/">搜索</a>');
  });

  it('only the search scripts are served as JavaScript; any other .js stays a download', () => {
    for (const script of SEARCH_SCRIPTS) expect(contentTypeFor(`/out/${script}`, script).type).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('/out/issues/x/evil.js', 'issues/x/evil.js')).toMatchObject({ type: 'application/octet-stream', attachment: true });
    expect(contentTypeFor('/out/search.js', 'search.js').type).toBe('application/octet-stream');
  });
});
