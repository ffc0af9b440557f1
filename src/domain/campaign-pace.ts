// How fast a campaign is going, from two readings of its ledger a moment apart: messages per second
// over that interval, and the time left at that pace. Pure, for the live report (src/server/campaign-live.ts).

/** One reading: when (epoch ms) and how many rows had reached an end (sent, failed, unknown, cancelled). */
export interface PaceReading {
  at: number;
  done: number;
}

export interface Pace {
  /** Rows that reached an end per second since the previous reading; null for the first reading. */
  perSecond: number | null;
  /** Seconds until the rows still waiting are done at that pace; null without a pace or while nothing moves. */
  etaSeconds: number | null;
}

export function campaignPace(previous: PaceReading | null, current: PaceReading, waiting: number): Pace {
  if (previous === null || current.at <= previous.at) return { perSecond: null, etaSeconds: null };
  const perSecond = (Math.max(0, current.done - previous.done) * 1000) / (current.at - previous.at);
  if (waiting === 0) return { perSecond: round(perSecond), etaSeconds: 0 };
  return { perSecond: round(perSecond), etaSeconds: perSecond > 0 ? Math.ceil(waiting / perSecond) : null };
}

/** Two decimals: the figure is shown, not computed with. */
function round(n: number): number {
  return Math.round(n * 100) / 100;
}
