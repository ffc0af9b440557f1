// Failed and retrying deliveries grouped by what the server said: the SMTP code and the response
// with what differs per message taken out (addresses, queue ids, numbers), so "550 5.1.1 <a@x>:
// no such user" and the same for <b@x> are one group. Pure: the store groups exact responses, this
// folds them into the groups the console and the API show.

/** One group: how many rows (failed and retrying) share this code and normalised response. */
export interface ErrorGroup {
  smtpCode: number | null;
  response: string;
  failed: number;
  retry: number;
}

/** A campaign's groups, and the rows the store did not group (see src/storage/core/errors.ts). */
export interface CampaignErrors {
  groups: ErrorGroup[];
  /** Rows whose exact response is not among the store's most common ones (0 almost always). */
  other: { failed: number; retry: number };
}

/** Exact responses as the store counts them (see Store.errorCounts). */
export interface ExactErrorCount {
  smtpCode: number | null;
  smtpResponse: string | null;
  state: 'failed' | 'retry';
  n: number;
}

/** RFC 3463's class.subject.detail, e.g. 5.1.1. */
const ENHANCED_STATUS = /^[245]\.\d{1,3}\.\d{1,3}$/;

/**
 * The response without its leading reply code, with addresses as <address>, hex or digit runs
 * (queue ids, counts, times) as #, spaces collapsed and lower-cased. The enhanced status code
 * (5.1.1) is kept: it is the one part that says what went wrong.
 */
export function normaliseResponse(response: string | null): string {
  if (response === null || response.trim() === '') return '(no response)';
  return response
    .trim()
    .replace(/^[2-5]\d\d([ -]|$)/, '')
    .replace(/<?[^\s<>@]+@[^\s<>@]+>?/g, '<address>')
    .replace(/\b[0-9a-f][0-9a-f.:]*\b/gi, (token) => (ENHANCED_STATUS.test(token) || !/\d/.test(token) ? token : '#'))
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .trim();
}

/** Folds exact counts into groups, largest first (ties by code, then text, so the order is stable). */
export function groupErrors(counts: readonly ExactErrorCount[]): ErrorGroup[] {
  const groups = new Map<string, ErrorGroup>();
  for (const c of counts) {
    const response = normaliseResponse(c.smtpResponse);
    const key = `${c.smtpCode ?? ''} ${response}`;
    const group = groups.get(key) ?? { smtpCode: c.smtpCode, response, failed: 0, retry: 0 };
    group[c.state] += c.n;
    groups.set(key, group);
  }
  return [...groups.values()].sort(
    (a, b) => b.failed + b.retry - (a.failed + a.retry) || (a.smtpCode ?? 0) - (b.smtpCode ?? 0) || (a.response < b.response ? -1 : a.response > b.response ? 1 : 0),
  );
}
