import { describe, expect, it } from 'vitest';
import { groupTopics, topicSlug, topicUrl } from '../../src/feeds/topics.js';
import { date, issue } from './helpers.js';

describe('topic slugs', () => {
  it('lowercases and turns spaces into dashes', () => {
    expect(topicSlug('SOFA Weekly')).toBe('sofa-weekly');
    expect(topicSlug('  SOFA   WEEKLY ')).toBe('sofa-weekly');
  });

  it('keeps CJK letters and percent-encodes them only in URLs', () => {
    expect(topicSlug('云原生 周报')).toBe('云原生-周报');
    expect(topicUrl('https://news.example.org/', '云原生-周报')).toBe('https://news.example.org/tags/%E4%BA%91%E5%8E%9F%E7%94%9F-%E5%91%A8%E6%8A%A5/');
  });

  it('removes characters unsafe in paths and URLs', () => {
    expect(topicSlug('C/C++ & <Rust>?')).toBe('c-c-rust');
    expect(topicSlug('../etc')).toBe('etc');
    expect(topicSlug('a\u3000b')).toBe('a-b');
  });

  it('gives a stable hashed slug when nothing usable is left', () => {
    const s = topicSlug('///');
    expect(s).toMatch(/^topic-[0-9a-f]{10}$/);
    expect(topicSlug('///')).toBe(s);
    expect(topicSlug('???')).not.toBe(s);
  });
});

describe('groupTopics', () => {
  it('merges spellings that share a slug and keeps newest-first order', () => {
    const a = issue('a', { date: date('2023-01-02T00:00:00+08:00'), tags: ['SOFA Weekly'], categories: ['SOFA Weekly'] });
    const b = issue('b', { date: date('2023-01-01T00:00:00+08:00'), tags: ['SOFA WEEKLY'], categories: ['SOFAStack'] });
    const topics = groupTopics([a, b]);
    expect(topics.map((t) => t.slug)).toEqual(['sofa-weekly', 'sofastack']);
    expect(topics[0]!.label).toBe('SOFA Weekly');
    expect(topics[0]!.issues.map((i) => i.slug)).toEqual(['a', 'b']);
    expect(topics[1]!.issues.map((i) => i.slug)).toEqual(['b']);
  });

  it('ignores blank labels', () => {
    expect(groupTopics([issue('a', { tags: ['  ', ''] })])).toEqual([]);
  });
});
