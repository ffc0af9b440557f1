import { describe, expect, it } from 'vitest';
import { campaignPace } from '../../src/domain/campaign-pace.js';

describe('campaignPace', () => {
  it('has no pace on the first reading, or when no time passed', () => {
    expect(campaignPace(null, { at: 1000, done: 5 }, 10)).toEqual({ perSecond: null, etaSeconds: null });
    expect(campaignPace({ at: 1000, done: 5 }, { at: 1000, done: 9 }, 10)).toEqual({ perSecond: null, etaSeconds: null });
  });

  it('is rows done per second over the interval, and the waiting rows at that pace, rounded up', () => {
    expect(campaignPace({ at: 0, done: 10 }, { at: 2000, done: 30 }, 25)).toEqual({ perSecond: 10, etaSeconds: 3 });
    expect(campaignPace({ at: 0, done: 0 }, { at: 1500, done: 2 }, 1)).toEqual({ perSecond: 1.33, etaSeconds: 1 });
  });

  it('has no ETA while nothing moves, and 0 when nothing waits', () => {
    expect(campaignPace({ at: 0, done: 10 }, { at: 1000, done: 10 }, 5)).toEqual({ perSecond: 0, etaSeconds: null });
    expect(campaignPace({ at: 0, done: 10 }, { at: 1000, done: 12 }, 0)).toEqual({ perSecond: 2, etaSeconds: 0 });
    // A count that went down (a retry re-queued rows) is no negative pace.
    expect(campaignPace({ at: 0, done: 10 }, { at: 1000, done: 8 }, 4)).toEqual({ perSecond: 0, etaSeconds: null });
  });
});
