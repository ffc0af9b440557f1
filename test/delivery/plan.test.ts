// Pure planning of a campaign run: lanes, batch size, lease margin, and when a row may still start.
import { describe, expect, it } from 'vitest';
import { connectionPause, leaseTooShort, mayStart, planSend } from '../../src/delivery/plan.js';

const smtp = { maxConnections: 5, batchSize: 200, leaseSeconds: 1800, rateLimitScope: 'campaign' as const };

describe('planSend', () => {
  it('uses one lane per connection (at least one), the configured batch and lease', () => {
    const plan = planSend({ smtp });
    expect(plan).toMatchObject({ lanes: 5, batchSize: 200, leaseMs: 1_800_000, rate: undefined, sharedRate: false });
    expect(planSend({ smtp: { ...smtp, maxConnections: 0 } }).lanes).toBe(1);
    expect(planSend({ smtp: { ...smtp, leaseSeconds: 90 } }).leaseMs).toBe(90_000);
    expect(planSend({ smtp: { ...smtp, leaseSeconds: 90 }, leaseMs: 4000 }).leaseMs).toBe(4000);
  });

  it('shrinks the batch to what the rate sends in half a lease, an eighth of that when the rate is campaign-wide', () => {
    // 10 msg/s, 60 s lease: 300 in half a lease per process, 37 for one of up to 8 workers sharing the rate.
    const perProcess = planSend({ smtp: { ...smtp, rateLimit: 10, rateLimitScope: 'process' }, leaseMs: 60_000 });
    expect([perProcess.batchSize, perProcess.sharedRate]).toEqual([200, false]);
    expect(planSend({ smtp: { ...smtp, batchSize: 1000, rateLimit: 10, rateLimitScope: 'process' }, leaseMs: 60_000 }).batchSize).toBe(300);
    const shared = planSend({ smtp: { ...smtp, rateLimit: 10 }, leaseMs: 60_000 });
    expect([shared.batchSize, shared.sharedRate, shared.rate]).toEqual([37, true, 10]);
    // Never below one row per lane, never below one row.
    expect(planSend({ smtp: { ...smtp, rateLimit: 0.01 }, leaseMs: 60_000 }).batchSize).toBe(5);
    expect(planSend({ smtp: { ...smtp, maxConnections: 1, batchSize: 0 } }).batchSize).toBe(1);
  });

  it("keeps the transport's longest send (plus 5 s) free at the end of each lease", () => {
    const plan = planSend({ smtp, maxSendMs: 720_000 });
    expect(plan.leaseMargin).toBe(725_000);
    expect(leaseTooShort(plan)).toBe(false);
    // Without a known send time: a quarter of the lease, at most 30 s, at least 5 s.
    expect(planSend({ smtp }).leaseMargin).toBe(30_000);
    expect(planSend({ smtp, leaseMs: 40_000 }).leaseMargin).toBe(10_000);
    expect(planSend({ smtp, leaseMs: 8000 }).leaseMargin).toBe(4000);
  });

  it('clamps the margin to half a lease that is too short for the transport, and says so', () => {
    const plan = planSend({ smtp, leaseMs: 60_000, maxSendMs: 720_000 });
    expect([plan.wantedMargin, plan.leaseMargin]).toEqual([725_000, 30_000]);
    expect(leaseTooShort(plan)).toBe(true);
  });
});

describe('mayStart', () => {
  const plan = { leaseMargin: 10_000 };
  it('starts a row only while more than the margin is left of its lease', () => {
    expect(mayStart(plan, 100_000, 90_000)).toBe(true);
    expect(mayStart(plan, 100_000, 90_001)).toBe(false);
    expect(mayStart(plan, 100_000, 120_000)).toBe(false);
    expect(mayStart(plan, null, 1e15)).toBe(true);
  });
});

describe('connectionPause', () => {
  it('doubles from the base with each connection failure in a row, up to 30 s', () => {
    expect([1, 2, 3, 4].map((n) => connectionPause(500, n))).toEqual([500, 1000, 2000, 4000]);
    expect(connectionPause(500, 10)).toBe(30_000);
  });
});
