import { describe, expect, it } from 'vitest';
import { parseIssueDate, yearOf } from '../../src/content/dates.js';

describe('parseIssueDate', () => {
  it('keeps the author offset of an RFC 3339 date', () => {
    const d = parseIssueDate('2022-11-04T15:00:00+08:00', 'UTC');
    expect(d).toEqual({ iso: '2022-11-04T15:00:00+08:00', epochMs: Date.parse('2022-11-04T07:00:00Z'), offset: '+08:00' });
  });

  it('reads the Jekyll form with a compact offset', () => {
    expect(parseIssueDate('2022-11-04 15:00:00 +0800', 'UTC')?.iso).toBe('2022-11-04T15:00:00+08:00');
    expect(parseIssueDate('2022-11-04 15:00 -05:30', 'UTC')?.iso).toBe('2022-11-04T15:00:00-05:30');
  });

  it('keeps Z as Z and drops fractional seconds from the text only', () => {
    const d = parseIssueDate('2022-11-04T07:00:00.250Z', 'Asia/Shanghai');
    expect(d?.iso).toBe('2022-11-04T07:00:00Z');
    expect(d?.epochMs).toBe(Date.parse('2022-11-04T07:00:00.250Z'));
  });

  it('reads a bare date as midnight in the configured time zone', () => {
    expect(parseIssueDate('2022-11-04', 'Asia/Shanghai')).toEqual({
      iso: '2022-11-04T00:00:00+08:00',
      epochMs: Date.parse('2022-11-03T16:00:00Z'),
      offset: '+08:00',
    });
    expect(parseIssueDate('2022-07-01', 'America/New_York')?.iso).toBe('2022-07-01T00:00:00-04:00');
    expect(parseIssueDate('2022-01-01', 'America/New_York')?.iso).toBe('2022-01-01T00:00:00-05:00');
  });

  it('reads a local time without offset in the configured time zone', () => {
    expect(parseIssueDate('2022-11-04T15:00:00', 'Europe/Paris')?.iso).toBe('2022-11-04T15:00:00+01:00');
  });

  it('rejects text and impossible dates', () => {
    for (const text of ['next friday', '2022-02-30', '2022-13-01', '2022-11-04T25:00:00Z', '04/11/2022', '2022-11-04T15:00:00+25:00']) {
      expect(parseIssueDate(text, 'UTC'), text).toBeNull();
    }
  });

  it('keeps a year before 100 as written instead of shifting it to 19xx (the loader then refuses it)', () => {
    const d = parseIssueDate('0050-06-01', 'UTC');
    expect(d?.iso).toBe('0050-06-01T00:00:00+00:00');
    expect(d && yearOf(d)).toBe(50);
    expect(d?.epochMs).toBe(Date.parse('0050-06-01T00:00:00Z'));
    expect(parseIssueDate('0099-12-31T23:00:00+08:00', 'UTC')?.iso).toBe('0099-12-31T23:00:00+08:00');
    expect(parseIssueDate('0050-02-29', 'UTC')).toBeNull(); // not a leap year then either
  });
});
