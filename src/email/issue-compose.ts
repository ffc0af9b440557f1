// The cheap half of an issue email: from the rendered parts (HTML and text with sentinels, and the
// subject) to a PreparedEmail whose messageFor() fills in each recipient. No MJML, Liquid,
// sanitize-html or html-to-text here, so a sending process can import this without them: the
// rendering can happen elsewhere (see issue-email.ts, render-isolated.ts).
import { createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { Issue } from '../content/issue.js';
import { composePrepared, field, type PreparedEmailWithParts } from './compose.js';
import type { Recipient } from './message.js';
import { addressLine, checkAddress, oneLine } from './mime.js';
import { createSender, msgIdAtom } from './sender.js';
import { signToken } from './tokens.js';
import { verpAddress, verpToken } from './verp.js';

/** Per-subscriber template variables: filled in per recipient, after rendering. */
export const RECIPIENT_VARIABLES = ['name', 'email', 'unsubscribe_url', 'preferences_url'] as const;

/** What rendering an issue produces once: plain data (it can cross a process boundary as JSON). */
export interface IssueParts {
  subject: string;
  /** HTML and text with a sentinel in place of every per-recipient variable. */
  html: string;
  text: string;
  sentinels: Record<(typeof RECIPIENT_VARIABLES)[number], string>;
}

export function composeIssueEmail(config: Config, issue: Issue, secret: string, parts: IssueParts): PreparedEmailWithParts {
  const sender = createSender(config);
  const site = config.site.url;
  const slugPart = msgIdAtom(issue.slug, 'issue');
  // Message-ID = <slug.subscriber.issueHash@domain>: stable for (issue, subscriber) so a retried
  // send is recognisable; the keyed hash (computed once) keeps ids of different installations apart.
  // A test copy is a new message every time: <slug.test.random@domain>.
  const issueHash = stableHash(secret, issue.slug);
  const bounceAddress = config.email.bounceAddress;

  return composePrepared(
    {
      headers: sender.headers(parts.subject),
      trailingHeaders: sender.listHeaders(slugPart, true),
      html: parts.html,
      text: parts.text,
      sentinels: parts.sentinels,
      envelopeFrom: sender.from,
      dkim: sender.dkim,
      perRecipient(r: Recipient) {
        const to = checkAddress(r.email, `recipient ${r.id}`);
        const token = signToken(secret, r.id, 'unsubscribe');
        const unsubscribeUrl = `${site}unsubscribe?token=${token}`;
        const preferencesUrl = `${site}preferences?token=${signToken(secret, r.id, 'preferences')}`;
        const messageId = r.test
          ? `<${slugPart}.test.${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}@${sender.domain}>`
          : `<${slugPart}.${r.id}.${issueHash}@${sender.domain}>`;
        const returnPath = returnPathFor(bounceAddress, secret, r);
        return {
          values: {
            name: r.name ? oneLine(r.name) : '',
            email: to,
            unsubscribe_url: unsubscribeUrl,
            preferences_url: preferencesUrl,
          },
          headers: [
            field('To', addressLine('To', r.name, to)),
            field('Message-ID', `Message-ID: ${messageId}`),
            sender.listUnsubscribe(unsubscribeUrl, token),
            ...(returnPath ? returnPath.headers : []),
          ],
          messageId,
          envelopeTo: to,
          ...(returnPath ? { envelopeFrom: returnPath.envelopeFrom } : {}),
        };
      },
    },
    parts.subject,
  );
}

function stableHash(secret: string, slug: string): string {
  return createHmac('sha256', secret).update(`message-id\0${slug}`).digest('base64url').replace(/[-_]/g, '').slice(0, 12);
}

/**
 * With email.bounceAddress, a campaign copy leaves from its VERP address and carries the RFC 9477
 * complaint feedback headers (the same signed token, so an ARF report names the copy exactly).
 * A test copy or a message outside a campaign keeps the plain sender.
 */
function returnPathFor(bounceAddress: string | undefined, secret: string, r: Recipient): { envelopeFrom: string; headers: ReturnType<typeof field>[] } | null {
  if (bounceAddress === undefined || r.test || r.campaignId === undefined) return null;
  // One HMAC per copy: the return path and the feedback id carry the same token.
  const token = verpToken(secret, { campaignId: r.campaignId, subscriberId: r.id });
  return {
    envelopeFrom: verpAddress(bounceAddress, token),
    headers: [field('CFBL-Address', `CFBL-Address: ${bounceAddress}; report=arf`), field('CFBL-Feedback-ID', `CFBL-Feedback-ID: ${token}`)],
  };
}
