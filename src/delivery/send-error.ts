// Why a message was not delivered, as one named kind. A leaf module (no imports), so the transports,
// the campaign pipeline and the system mailer all share it without importing each other.

/**
 * - `temporary`: worth retrying later (4xx, connection trouble, timeouts before the final dot).
 * - `permanent`: the server refused this recipient for good (5xx).
 * - `user-unknown`: a permanent refusal saying the mailbox does not exist (the subscriber bounces).
 * - `unknown-outcome`: lost after the final dot: the server may have the message, so it is never
 *   retried automatically.
 * - `fatal`: nothing can be sent through this transport as configured (authentication, TLS, a
 *   refused session, an unwritable outbox): the pipeline stops instead of burning through the list.
 */
export type SendErrorKind = 'temporary' | 'permanent' | 'user-unknown' | 'unknown-outcome' | 'fatal';

export interface SendErrorDetails {
  kind: SendErrorKind;
  /** The SMTP reply code, or null when there was none (connection trouble, timeouts, the outbox). */
  code?: number | null;
  /** The server's reply text (or what stood for it), kept in the ledger. */
  response: string;
}

/** A message the transport could not deliver. */
export class SendError extends Error {
  readonly kind: SendErrorKind;
  readonly code: number | null;
  readonly response: string;

  constructor(message: string, { kind, code = null, response }: SendErrorDetails) {
    super(message);
    this.name = 'SendError';
    this.kind = kind;
    this.code = code;
    this.response = response;
  }
}
