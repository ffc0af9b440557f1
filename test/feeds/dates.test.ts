import { describe, expect, it } from 'vitest';
import { rfc3339, rfc822, displayDate } from '../../src/feeds/dates.js';
import { date } from './helpers.js';

describe('feed dates keep the issue offset', () => {
  it('formats +08:00 for Atom/JSON and +0800 for RSS', () => {
    const d = date('2022-11-04T15:00:00+08:00');
    expect(rfc3339(d)).toBe('2022-11-04T15:00:00+08:00');
    expect(rfc822(d)).toBe('Fri, 04 Nov 2022 15:00:00 +0800');
  });

  it('handles negative and half-hour offsets across a day boundary', () => {
    const d = date('2021-01-01T00:30:00-05:30');
    expect(rfc3339(d)).toBe('2021-01-01T00:30:00-05:30');
    expect(rfc822(d)).toBe('Fri, 01 Jan 2021 00:30:00 -0530');
    expect(displayDate(d)).toBe('2021-01-01');
  });

  it('keeps Z as Z and prints +0000 for RSS', () => {
    const d = date('2020-02-29T23:59:59Z');
    expect(rfc3339(d)).toBe('2020-02-29T23:59:59Z');
    expect(rfc822(d)).toBe('Sat, 29 Feb 2020 23:59:59 +0000');
  });

  it('keeps milliseconds when present', () => {
    expect(rfc3339(date('2022-11-04T15:00:00.250+08:00'))).toBe('2022-11-04T15:00:00.250+08:00');
  });

  it('rejects an offset it cannot read', () => {
    expect(() => rfc3339({ iso: 'x', epochMs: 0, offset: 'CET' })).toThrow(/offset "CET"/);
  });
});
