// The pure rules of feedback: the rates, when a campaign must pause itself, one-line diagnostics.
import { describe, expect, it } from 'vitest';
import { autoPauseReason, feedbackPolicy, feedbackRates } from '../../src/domain/feedback.js';
import { boundedLine, oneLine } from '../../src/domain/one-line.js';
import { defaultConfig } from '../../src/config/config.js';

const policy = feedbackPolicy(defaultConfig());

describe('feedback rules', () => {
  it('the defaults: 3 soft bounces in 30 days, pause after 500 above 5% bounces or 0.1% complaints', () => {
    expect(policy).toEqual({ softLimit: 3, softWindowDays: 30, minSample: 500, bouncePauseAbove: 0.05, complaintPauseAbove: 0.001 });
  });

  it('rates are fractions of what a server answered for, 0 before anything was sent', () => {
    expect(feedbackRates({ attempted: 0, bounced: 0, softBounced: 0, complained: 0 })).toEqual({ bounceRate: 0, softBounceRate: 0, complaintRate: 0 });
    expect(feedbackRates({ attempted: 200, bounced: 10, softBounced: 2, complained: 1 })).toEqual({ bounceRate: 0.05, softBounceRate: 0.01, complaintRate: 0.005 });
  });

  it('pauses only past the minimum sample, and only strictly above a limit; says which and by how much', () => {
    expect(autoPauseReason({ attempted: 499, bounced: 400, softBounced: 0, complained: 400 }, policy)).toBeNull();
    expect(autoPauseReason({ attempted: 1000, bounced: 50, softBounced: 0, complained: 1 }, policy)).toBeNull();
    expect(autoPauseReason({ attempted: 1000, bounced: 51, softBounced: 0, complained: 0 }, policy)).toBe('hard-bounce rate 5.1% (51 of 1000) is above bounce.pauseAbove 5%');
    expect(autoPauseReason({ attempted: 1000, bounced: 0, softBounced: 900, complained: 2 }, policy)).toBe('complaint rate 0.2% (2 of 1000) is above complaint.pauseAbove 0.1%');
  });

  it('diagnostics become one bounded line', () => {
    expect(boundedLine('550 5.1.1\r\n  user\tunknown\u2028now')).toBe('550 5.1.1 user unknown now');
    expect(oneLine('Subject\r\nBcc: x@example.org\x00')).toBe('Subject Bcc: x@example.org');
    expect(boundedLine('  \r\n')).toBeNull();
    expect(boundedLine(null)).toBeNull();
    expect(boundedLine('x'.repeat(600))).toHaveLength(500);
  });
});
