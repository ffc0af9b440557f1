// "Is it public" and "can it be emailed", for every combination of draft, email and date. The
// callers (worker, `send`, the API, the campaign) only phrase the answer.
import { describe, expect, it } from 'vitest';
import {
  isEmailable,
  isPublished,
  maxLatenessMs,
  notEmailableText,
  sendTimeOf,
  tooLateText,
  whyNeverEmailed,
  whyNotDue,
  whyNotEmailable,
  type NotEmailable,
} from '../../src/domain/publication.js';

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

describe('whyNotDue (what the worker mails by itself)', () => {
  const H = 3_600_000;
  const schedule = { watermark: NOW - 100 * H, maxLatenessMs: 48 * H };
  const at = (dateOffset: number, sendOffset?: number) => ({
    ...issue(false, true, NOW + dateOffset),
    ...(sendOffset === undefined ? {} : { sendAt: { epochMs: NOW + sendOffset } }),
  });

  it('waits for send_at, not only for the date', () => {
    expect(sendTimeOf(at(-H))).toBe(NOW - H);
    expect(sendTimeOf(at(-H, H))).toBe(NOW + H);
    expect(whyNotDue(at(-H, H), NOW, schedule)).toBe('scheduled');
    expect(whyNotDue(at(-H, 0), NOW, schedule)).toBeNull();
    expect(whyNotDue(at(H, 2 * H), NOW, schedule)).toBe('scheduled');
    expect(whyNotDue(at(-H), NOW, schedule)).toBeNull();
  });

  it('is too late past email.maxLatenessHours of the send time, and 0 means never', () => {
    expect(whyNotDue(at(-48 * H), NOW, schedule)).toBeNull();
    expect(whyNotDue(at(-48 * H - 1), NOW, schedule)).toBe('too-late');
    // An old date with a recent send_at is judged by the send_at.
    expect(whyNotDue(at(-90 * H, -H), NOW, schedule)).toBeNull();
    expect(whyNotDue(at(-90 * H), NOW, { ...schedule, maxLatenessMs: 0 })).toBeNull();
    expect(maxLatenessMs(48)).toBe(48 * H);
  });

  it('the back catalogue (send time before the first worker start) comes before lateness; the permanent reasons before both', () => {
    expect(whyNotDue(at(-101 * H), NOW, schedule)).toBe('back-catalogue');
    expect(whyNotDue(at(-101 * H), NOW, { ...schedule, watermark: null })).toBe('too-late');
    expect(whyNotDue(at(-101 * H, -H), NOW, schedule)).toBeNull();
    expect(whyNotDue({ ...at(-101 * H), draft: true }, NOW, schedule)).toBe('draft');
    expect(whyNotDue({ ...at(H), email: false }, NOW, schedule)).toBe('feeds-only');
  });

  it('tooLateText names the send time, the setting and the way out', () => {
    const late = { slug: 'x', date: { iso: '2026-01-01T09:00:00+01:00' }, sendAt: { iso: '2026-01-02T09:00:00+01:00' } };
    expect(tooLateText(late, 48)).toBe(
      'was due to be emailed at 2026-01-02T09:00:00+01:00, more than 48 hours ago (email.maxLatenessHours); it is not mailed automatically: pressroom send x sends it',
    );
  });
});
