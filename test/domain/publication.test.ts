// "Is it public" and "can it be emailed", for every combination of draft, email and date. The
// callers (worker, `send`, the API, the campaign) only phrase the answer.
import { describe, expect, it } from 'vitest';
import { isEmailable, isPublished, notEmailableText, whyNeverEmailed, whyNotEmailable, type NotEmailable } from '../../src/domain/publication.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const issue = (draft: boolean, email: boolean, epochMs: number) => ({ draft, email, date: { epochMs, iso: new Date(epochMs).toISOString() } });

describe('isPublished', () => {
  it('is true from the issue date on, never for a draft', () => {
    expect(isPublished(issue(false, true, NOW), NOW)).toBe(true);
    expect(isPublished(issue(false, true, NOW + 1), NOW)).toBe(false);
    expect(isPublished(issue(true, true, NOW - 1), NOW)).toBe(false);
    // email: false is about email only; the issue is still in the feeds.
    expect(isPublished(issue(false, false, NOW - 1), NOW)).toBe(true);
  });
});

describe('whyNotEmailable', () => {
  const cases: Array<[draft: boolean, email: boolean, offset: number, reason: NotEmailable | null]> = [
    [false, true, -1, null],
    [false, true, 0, null],
    [false, true, 1, 'scheduled'],
    [false, false, -1, 'feeds-only'],
    [false, false, 1, 'feeds-only'],
    [true, true, -1, 'draft'],
    [true, true, 1, 'draft'],
    [true, false, -1, 'draft'],
    [true, false, 1, 'draft'],
  ];

  it.each(cases)('draft %s, email %s, date now%+d ms: %s', (draft, email, offset, reason) => {
    const i = issue(draft, email, NOW + offset);
    expect(whyNotEmailable(i, NOW)).toBe(reason);
    expect(isEmailable(i, NOW)).toBe(reason === null);
    // Whatever the date: only the permanent reasons.
    expect(whyNeverEmailed(i)).toBe(reason === 'scheduled' ? null : reason);
  });

  it('is the same as published and not email: false', () => {
    for (const [draft, email, offset] of cases) {
      const i = issue(draft, email, NOW + offset);
      expect(isEmailable(i, NOW)).toBe(isPublished(i, NOW) && email);
    }
  });
});

describe('notEmailableText', () => {
  it('says why in words, with the date for a scheduled issue', () => {
    const i = issue(false, true, Date.parse('2030-01-01T00:00:00Z'));
    expect(notEmailableText('draft', i)).toBe('is a draft; drafts are never emailed');
    expect(notEmailableText('feeds-only', i)).toBe('has email: false; it is never emailed');
    expect(notEmailableText('scheduled', i)).toBe('is scheduled for 2030-01-01T00:00:00.000Z; it cannot be sent before then');
  });
});
