// The email contract shared with delivery and the HTTP service: a PreparedEmail is rendered once
// (MJML, templates, MIME skeleton) and then turns each recipient into a complete raw message cheaply.

export interface Recipient {
  id: number;
  email: string;
  name: string | null;
  /** The campaign this copy belongs to: with email.bounceAddress, it names the VERP return path. */
  campaignId?: number;
  /** A one-off test copy: it gets a Message-ID of its own (see testRecipient). */
  test?: boolean;
}

/** Who a preview (`pressroom preview`, the console's issue page) is addressed to. Id 0 is never a real subscriber (ids start at 1). */
export const SAMPLE_SUBSCRIBER: Recipient = { id: 0, email: 'subscriber@example.org', name: 'Sample Subscriber' };

/**
 * The recipient of a test send. Id 0 belongs to no subscriber, so the copy's links cannot touch a
 * real subscription; and every test copy is a new message, because a mail client hides a message
 * whose Message-ID it has already seen (the second test after a fix would never show).
 */
export function testRecipient(email: string): Recipient {
  return { id: 0, email, name: null, test: true };
}

export interface OutgoingMessage {
  envelope: { from: string; to: string[] };
  /** With angle brackets, e.g. <slug.42.1a2b3c@example.org>; stable for (issue, subscriber), new for each test copy. */
  messageId: string;
  /** The complete RFC 5322 message (CRLF line ends), DKIM-signed when configured. */
  raw: Buffer;
  /**
   * The same message as SMTP DATA content, in pieces to write in order: dot-stuffed, ending in
   * CRLF "." CRLF (email/dot-stuff.ts). Prepared messages build it from pieces stuffed once per
   * campaign; when it is absent the SMTP transport stuffs `raw` itself.
   */
  readonly smtpData?: readonly Buffer[];
}

export interface PreparedEmail {
  /** Cheap: substitutes per-recipient values into the prepared message; no MJML, no templates. */
  messageFor(recipient: Recipient): OutgoingMessage;
}
