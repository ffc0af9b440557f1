// The recipient rule on its own, with no store (the unit tier). test/domain/recipients.test.ts
// holds the store's SQL in both dialects to the same rule.
import { describe, expect, it } from 'vitest';
import { receivesIssue, recipientFilter } from '../../src/domain/recipients.js';
import { SUBSCRIBER_STATUSES } from '../../src/domain/subscriber-status.js';

describe('receivesIssue', () => {
  it('takes active subscribers only', () => {
    for (const status of SUBSCRIBER_STATUSES) expect(receivesIssue({ status, topics: [] }, ['go']), status).toBe(status === 'active');
  });

  it('sends everything to a subscriber without topics, even an issue without any', () => {
    expect(receivesIssue({ status: 'active', topics: [] }, [])).toBe(true);
    expect(receivesIssue({ status: 'active', topics: [] }, ['anything'])).toBe(true);
  });

  it('sends a subscriber with topics only issues sharing one, compared by key', () => {
    const s = { status: 'active' as const, topics: ['go', 'sofa weekly'] };
    expect(receivesIssue(s, [' GO '])).toBe(true);
    expect(receivesIssue(s, ['Rust', 'SOFA Weekly'])).toBe(true);
    expect(receivesIssue(s, ['sofa-weekly'])).toBe(false);
    expect(receivesIssue(s, ['rust'])).toBe(false);
    expect(receivesIssue(s, [])).toBe(false);
  });

  it('filter and one-off check agree', () => {
    const receives = recipientFilter(['ÉTÉ']);
    for (const topics of [[], ['été'], ['hiver']]) expect(receives({ status: 'active', topics })).toBe(receivesIssue({ status: 'active', topics }, ['ÉTÉ']));
  });
});
