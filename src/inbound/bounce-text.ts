// Bounces that are not RFC 3464 reports: the plain-text notices of Exim, older Postfix, Exchange
// 2003, Gmail and Yahoo (samples in test/fixtures/bounces/). Read by heuristics over the notice
// (the text before the returned copy of the message): who failed (X-Failed-Recipients, or
// addresses standing at the start of a line, as every one of these MTAs lists them) and why
// (classify.ts: the status code, else the words).
import { bounceKind, enhancedStatus, reasonLine, type BounceKind } from './classify.js';

export interface TextBounce {
  recipients: string[];
  kind: BounceKind;
  status: string | null;
  diagnostic: string | null;
}

export interface BounceNotice {
  from: string;
  subject: string;
  /** X-Failed-Recipients (Exim, Gmail), comma-separated. */
  failedRecipients: string | null;
  /** The report's own To and From addresses: never the failed recipient. */
  ownAddresses: string[];
  text: string;
}

const FROM_RE = /mailer-daemon|postmaster|mail delivery/i;
const SUBJECT_RE =
  /undeliver|delivery (status notification|failure|has failed|failed|problem)|failure notice|returned mail|mail delivery failed|could not be delivered|non-?delivery|delivery notification/i;
// Where the returned copy of the message starts (`----- Original message -----`, Exim's `------ This
// is a copy of the message...`): nothing after it is the MTA's own words.
const COPY_RE = /^[ \t]*-{2,}.*(original message|copy of the message|undelivered message|message headers follow).*$/im;
const ADDRESS = /<?([^\s<>@:,;"]+@[a-z0-9.-]+\.[a-z]{2,})>?/i;
// `  a@example.org`, `<a@example.org>: host ...` (Postfix, Yahoo), `a@example.org on <date>` (Exchange).
const LISTED_RE = new RegExp(`^\\s*${ADDRESS.source}\\s*(:|$|\\s+on\\s|\\s+\\()`, 'gim');

/** Whether a message looks like a bounce at all: who sent it, its subject, or the header Exim and Gmail add. */
export function looksLikeBounce(notice: Pick<BounceNotice, 'from' | 'subject' | 'failedRecipients'>): boolean {
  return notice.failedRecipients !== null || FROM_RE.test(notice.from) || SUBJECT_RE.test(notice.subject);
}

/** The failure a plain-text bounce describes, or null when it names no recipient or no reason we can classify. */
export function readBounceText(notice: BounceNotice): TextBounce | null {
  const copy = COPY_RE.exec(notice.text);
  const words = copy ? notice.text.slice(0, copy.index) : notice.text;
  const own = new Set(notice.ownAddresses.map((a) => a.toLowerCase()));
  const recipients: string[] = [];
  const add = (address: string) => {
    const a = address.trim().replace(/^<|>$/g, '');
    if (a.includes('@') && !own.has(a.toLowerCase()) && !recipients.some((r) => r.toLowerCase() === a.toLowerCase())) recipients.push(a);
  };
  for (const a of notice.failedRecipients?.split(',') ?? []) add(a);
  if (recipients.length === 0) for (const m of words.matchAll(LISTED_RE)) add(m[1]!);
  if (recipients.length === 0) return null;
  const status = enhancedStatus(words);
  const kind = bounceKind(status, words);
  if (!kind) return null;
  return { recipients, kind, status, diagnostic: reasonLine(words) };
}
