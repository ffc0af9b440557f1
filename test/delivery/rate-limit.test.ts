// The token bucket that spaces messages at smtp.rateLimit, on a fake clock (no real waiting).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenBucket } from '../../src/delivery/rate-limit.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('TokenBucket', () => {
  it('lets one message through at once, then one every 1/rate seconds, in order', async () => {
    vi.useFakeTimers();
    const bucket = new TokenBucket(10, 1, () => Date.now()); // 10 msg/s: one per 100 ms
    const done: number[] = [];
    const takes = [0, 1, 2, 3].map((i) => bucket.take().then(() => done.push(i)));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual([0]);
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toEqual([0, 1]);
    await vi.advanceTimersByTimeAsync(200);
    expect(done).toEqual([0, 1, 2, 3]);
    await Promise.all(takes);
    bucket.stop();
  });

  it('allows a burst after an idle period, never more than `burst`', async () => {
    vi.useFakeTimers();
    const bucket = new TokenBucket(100, 3, () => Date.now());
    await vi.advanceTimersByTimeAsync(1000);
    const done: number[] = [];
    for (let i = 0; i < 5; i++) void bucket.take().then(() => done.push(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual([0, 1, 2]);
    await vi.advanceTimersByTimeAsync(20);
    expect(done).toEqual([0, 1, 2, 3, 4]);
    bucket.stop();
  });

  it('an aborted wait is rejected and leaves the queue', async () => {
    vi.useFakeTimers();
    const bucket = new TokenBucket(1, 1, () => Date.now());
    await bucket.take();
    const abort = new AbortController();
    const waiting = bucket.take(abort.signal);
    const next = bucket.take();
    abort.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    let passed = false;
    void next.then(() => (passed = true));
    await vi.advanceTimersByTimeAsync(1000);
    expect(passed).toBe(true);
    bucket.stop();
  });

  it('rejects a rate that is not positive', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError);
  });
});
