// The email contract shared with delivery and the HTTP service: a PreparedEmail is rendered once
// (MJML, templates, MIME skeleton) and then turns each recipient into a complete raw message cheaply.

export interface Recipient {
  id: number;
  email: string;
  name: string | null;
}

export interface OutgoingMessage {
  envelope: { from: string; to: string[] };
  /** With angle brackets, e.g. <slug.42.1a2b3c@example.org>; stable for (issue, subscriber). */
  messageId: string;
  /** The complete RFC 5322 message (CRLF line ends), DKIM-signed when configured. */
  raw: Buffer;
}

export interface PreparedEmail {
  /** Cheap: substitutes per-recipient values into the prepared message; no MJML, no templates. */
  messageFor(recipient: Recipient): OutgoingMessage;
}
