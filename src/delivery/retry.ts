// Retry policy: which SMTP outcomes are worth another attempt, and when.
//
// 4xx replies and connection trouble (refused, dropped, timed out) are temporary: the row goes to
// `retry` with an exponentially growing delay plus jitter, until `maxAttempts` attempts have been
// made; then it is `failed` with temporary=true so `pressroom retry` can queue it again. 5xx
// replies are permanent: `failed` at once. A user-unknown reply (enhanced code 5.1.1 and friends,
// or a bare 550 whose text says the mailbox does not exist) also marks the subscriber `bounced`.

export interface RetryPolicy {
  maxAttempts: number;
  /** Delay before the 2nd attempt; doubles for each further attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** 0..1: the delay is drawn uniformly from [delay * (1 - jitter), delay]. */
  jitter: number;
}

export const defaultRetryPolicy: Omit<RetryPolicy, 'maxAttempts'> = {
  baseDelayMs: 60_000,
  maxDelayMs: 60 * 60_000,
  jitter: 0.5,
};

/** Delay after failed attempt number `attempt` (1-based), with jitter from `random` in [0, 1). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = policy.baseDelayMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(policy.maxDelayMs, exp);
  return Math.round(capped * (1 - policy.jitter * random()));
}

/** Enhanced status codes (RFC 3463) that say the mailbox does not exist or is gone. */
const USER_UNKNOWN_ENHANCED = /\b5\.1\.(1|10)\b|\b5\.2\.1\b/;
const USER_UNKNOWN_TEXT =
  /user unknown|unknown user|no such (user|mailbox|recipient)|mailbox (unavailable|not found|does not exist)|does not exist|recipient (address )?rejected: user unknown|invalid (mailbox|recipient)|address rejected/i;

export function isUserUnknown(code: number | null, response: string): boolean {
  if (code === null || code < 500 || code >= 600) return false;
  if (USER_UNKNOWN_ENHANCED.test(response)) return true;
  // Without an enhanced code only 550/551/553 can mean "no such mailbox"; 5.7.x policy
  // rejections (spam, blocklists) must not unsubscribe anyone.
  if (/\b5\.\d+\.\d+\b/.test(response)) return false;
  return (code === 550 || code === 551 || code === 553) && USER_UNKNOWN_TEXT.test(response);
}
