// The run's counts: they start from the ledger, follow each recorded verdict, and are reported
// at most every 200 ms unless forced.
import { describe, expect, it } from 'vitest';
import { notSent } from '../../src/delivery/outcome.js';
import { RunTally, type Progress } from '../../src/delivery/progress.js';
import { SendError } from '../../src/delivery/send-error.js';
import type { CampaignStats } from '../../src/storage/store.js';

const stats = (over: Partial<CampaignStats> = {}): CampaignStats => ({
  queued: 0,
  sending: 0,
  sent: 0,
  retry: 0,
  failed: 0,
  unknown: 0,
  cancelled: 0,
  bounced: 0,
  softBounced: 0,
  complained: 0,
  attempted: 0,
  startedAt: null,
  finishedAt: null,
  ...over,
});
const recorded = { smtpCode: 550, smtpResponse: '550 no' };
const error = new SendError('550 no', { kind: 'user-unknown', code: 550, response: '550 no' });

describe('RunTally', () => {
  it("counts each verdict on top of the ledger's counts, and this run's own separately", () => {
    const tally = new RunTally('issue', 10, stats({ sent: 2, retry: 1 }));
    tally.count({ kind: 'sent', recorded: { smtpCode: 250, smtpResponse: '250 ok' } });
    tally.count({ kind: 'retry', at: 0, recorded, error });
    tally.count({ kind: 'failed', recorded, bounced: true, temporary: false, error });
    tally.count({ kind: 'failed', recorded, bounced: false, temporary: true, error });
    tally.count(notSent('subscriber removed before sending'));
    tally.count({ kind: 'unknown', recorded, error });
    expect(tally).toMatchObject({ sent: 3, retrying: 2, failed: 3, bounced: 1, unknown: 1, sentNow: 1, failedNow: 3, unknownNow: 1 });
    tally.fromLedger(stats({ sent: 7, failed: 1, retry: 0 }));
    expect(tally).toMatchObject({ sent: 7, failed: 1, bounced: 0, unknown: 0, retrying: 0, sentNow: 1, failedNow: 3, unknownNow: 1 });
  });

  it('reports what remains, at most every 200 ms unless forced', () => {
    const reports: Progress[] = [];
    const tally = new RunTally('issue', 10, stats({ sent: 4, failed: 1, unknown: 1, retry: 2 }), (p) => reports.push(p));
    tally.waitingUntil = 123;
    tally.report();
    tally.report();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ slug: 'issue', total: 10, sent: 4, failed: 1, retrying: 2, remaining: 4, rate: 0, etaSeconds: null, waitingUntil: 123 });
    tally.count({ kind: 'sent', recorded: { smtpCode: 250, smtpResponse: '250 ok' } });
    tally.report(true);
    expect(reports).toHaveLength(2);
    expect(reports[1]!.remaining).toBe(3);
    expect(reports[1]!.rate).toBeGreaterThan(0);
    expect(reports[1]!.etaSeconds).toBeCloseTo(3 / reports[1]!.rate);
  });
});
