// The three forms of a topic (label, key, slug) and the form choices built from them. Pure: no
// store, no server. The feed side is in test/feeds/topics.test.ts, the forms in
// test/server/subscription.test.ts.
import { describe, expect, it } from 'vitest';
import { issueTopicLabels, issueTopics, normalizeTopics, preferenceTopics, topicChoices, topicKey, topicLabels, topicSlug, type TopicCarrier } from '../../src/domain/topics.js';

const carrier = (tags: string[], categories: string[] = []): TopicCarrier => ({ tags, categories });

describe('issueTopics and issueTopicLabels', () => {
  it('lists tags then categories once each, as written', () => {
    expect(issueTopics(carrier(['SOFA', 'Go'], ['Go', 'Release']))).toEqual(['SOFA', 'Go', 'Release']);
  });

  it('trims labels and drops blank ones, without merging spellings', () => {
    expect(issueTopicLabels(carrier([' SOFA ', '', '  '], ['SOFA', 'sofa']))).toEqual(['SOFA', 'SOFA', 'sofa']);
  });
});

describe('topicKey and normalizeTopics', () => {
  it('keys are trimmed and lower-cased, Unicode included', () => {
    expect(topicKey('  SOFA Weekly ')).toBe('sofa weekly');
    expect(topicKey('ÉTÉ')).toBe('été');
    expect(topicKey('   ')).toBe('');
  });

  it('keeps inner spacing: only the slug collapses it', () => {
    expect(topicKey('SOFA  Weekly')).toBe('sofa  weekly');
    expect(topicSlug('SOFA  Weekly')).toBe('sofa-weekly');
  });

  it('normalises a list to unique non-blank keys in first-seen order', () => {
    expect(normalizeTopics(['Go', ' go ', '', 'Rust', 'GO', 'rust'])).toEqual(['go', 'rust']);
    expect(normalizeTopics(undefined)).toEqual([]);
    expect(normalizeTopics([])).toEqual([]);
  });
});

describe('topicSlug', () => {
  it('folds case and spacing so spellings share one folder', () => {
    expect(topicSlug('SOFA Weekly')).toBe(topicSlug('  sofa   WEEKLY '));
  });

  it('composes Unicode (NFC) so both encodings of é give one slug', () => {
    expect(topicSlug('e\u0301t\u00e9')).toBe('\u00e9t\u00e9');
  });

  it('never yields a path that leaves tags/', () => {
    for (const label of ['..', '../..', '/', '.hidden', 'a/../b']) {
      const slug = topicSlug(label);
      expect(slug, label).not.toMatch(/[/\\]|^\.|^$/);
    }
  });
});

describe('topicChoices', () => {
  it('offers one choice per slug, with the label as first written, sorted by label', () => {
    const issues = [carrier(['SOFA Weekly']), carrier(['sofa weekly'], ['MOSN']), carrier(['SOFA  Weekly', 'sofa-weekly']), carrier(['  '])];
    expect(topicChoices(issues)).toEqual([
      { key: 'mosn', label: 'MOSN' },
      { key: 'sofa weekly', label: 'SOFA Weekly' },
    ]);
  });

  it('keeps the spelling seen first (issues come newest first)', () => {
    expect(topicChoices([carrier(['Newest']), carrier(['NEWEST']), carrier(['NEWEST'])])).toEqual([{ key: 'newest', label: 'Newest' }]);
  });

  it('counts a trimmed spelling with its untrimmed twin', () => {
    expect(topicChoices([carrier([' Go', 'GO'], ['Go'])])).toEqual([{ key: 'go', label: 'Go' }]);
  });
});

describe('preferenceTopics', () => {
  const choices = [
    { key: 'mosn', label: 'MOSN' },
    { key: 'sofa weekly', label: 'SOFA Weekly' },
  ];

  it('lists each topic once, ticked when a saved key shares its slug, whatever its case or spacing', () => {
    expect(preferenceTopics(choices, ['sofa  weekly', 'sofa-weekly'])).toEqual([
      { key: 'mosn', label: 'MOSN', checked: false },
      { key: 'sofa weekly', label: 'SOFA Weekly', checked: true },
    ]);
  });

  it('adds a saved key no issue carries any more, once, so it can be unticked', () => {
    expect(preferenceTopics(choices, ['gone', 'GONE ', 'mosn'])).toEqual([
      { key: 'mosn', label: 'MOSN', checked: true },
      { key: 'sofa weekly', label: 'SOFA Weekly', checked: false },
      { key: 'gone', label: 'gone', checked: true },
    ]);
  });

  it('drops choices that repeat a slug', () => {
    expect(preferenceTopics([...choices, { key: 'sofa-weekly', label: 'sofa-weekly' }], [])).toHaveLength(2);
  });
});

describe('topicLabels', () => {
  it('describes keys by the labels of their choices, in the given order, an unknown key as itself', () => {
    const choices = [
      { key: 'mosn', label: 'MOSN' },
      { key: 'sofa weekly', label: 'SOFA Weekly' },
    ];
    expect(topicLabels(['sofa weekly', 'gone', 'mosn', 'sofa-weekly'], choices)).toEqual(['SOFA Weekly', 'gone', 'MOSN']);
  });
});
