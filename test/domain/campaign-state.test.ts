// The one rule for what a campaign is doing and which brake applies (src/domain/campaign-state.ts).
import { describe, expect, it } from 'vitest';
import { brakeRefusal, campaignState, campaignSummary } from '../../src/domain/campaign-state.js';

const T = '2026-05-01T10:00:00.000Z';
const base = { slug: 'c', startedAt: null, finishedAt: null, pausedAt: null, pauseReason: null, cancelledAt: null };

describe('campaignState and brakeRefusal', () => {
  it('names each state, a cancel over any other, and refuses what does not apply in one line', () => {
    expect(campaignState(base)).toBe('queued');
    expect(campaignState({ ...base, startedAt: T })).toBe('sending');
    expect(campaignState({ ...base, startedAt: T, pausedAt: T })).toBe('paused');
    expect(campaignState({ ...base, pausedAt: T, finishedAt: T })).toBe('finished');
    expect(campaignState({ ...base, cancelledAt: T })).toBe('cancelling');
    expect(campaignState({ ...base, cancelledAt: T, finishedAt: T })).toBe('cancelled');

    expect(brakeRefusal(base, 'pause')).toBeNull();
    expect(brakeRefusal(base, 'cancel')).toBeNull();
    expect(brakeRefusal(base, 'resume')).toBe('campaign c is not paused');
    const paused = { ...base, pausedAt: T };
    expect(brakeRefusal(paused, 'pause')).toBe(`campaign c is already paused (since ${T})`);
    expect(brakeRefusal(paused, 'resume')).toBeNull();
    expect(brakeRefusal(paused, 'cancel')).toBeNull();
    const cancelling = { ...base, cancelledAt: T };
    expect(brakeRefusal(cancelling, 'cancel')).toBeNull(); // again: cancels what was given back since
    expect(brakeRefusal(cancelling, 'resume')).toBe('campaign c is cancelled; it cannot be resumed');
    expect(brakeRefusal(cancelling, 'pause')).toBe('campaign c is being cancelled; nothing to pause');
    for (const action of ['pause', 'resume', 'cancel'] as const) {
      expect(brakeRefusal({ ...base, finishedAt: T }, action)).toBe(`campaign c is finished (at ${T}); nothing to ${action}`);
    }
  });

  it('summarises counts and rates; the reason only while paused', () => {
    const counts = { sent: 95, cancelled: 3, bounced: 5, softBounced: 2, complained: 1, attempted: 100 };
    expect(campaignSummary({ ...base, pausedAt: T, pauseReason: 'too many' }, counts)).toEqual({
      state: 'paused',
      pauseReason: 'too many',
      sent: 95,
      hardBounces: 5,
      softBounces: 2,
      complaints: 1,
      bounceRate: 0.05,
      softBounceRate: 0.02,
      complaintRate: 0.01,
      cancelled: 3,
    });
    expect(campaignSummary({ ...base, startedAt: T, pauseReason: 'too many' }, counts)).toMatchObject({ state: 'sending', pauseReason: null });
  });
});
