// The transport interface: one prepared message in, the server's answer out. The campaign pipeline
// only ever sees this interface, so SMTP and the outbox folder are interchangeable.
import type { Config } from '../config/config.js';
import { OUTBOX_URL } from '../config/smtp-url.js';
import type { OutgoingMessage } from '../email/message.js';
import type { Logger } from '../logging.js';
import { createOutboxTransport } from './transports/outbox.js';
import { createSmtpTransport } from './transports/smtp.js';

export interface SendResult {
  /** SMTP reply code of the accepted message (250), or 250 for the outbox. */
  code: number;
  /** The server's reply text, kept in the ledger. */
  response: string;
}

/** Optional context for a send; transports may ignore it (the outbox uses it to pick a folder). */
export interface SendMeta {
  /** Campaign slug, or undefined for a one-off test message. */
  campaign?: string;
  /** Aborting gives up on the message (it is then neither sent nor failed: temporary). */
  signal?: AbortSignal;
}

export interface Transport {
  readonly description: string;
  /**
   * The longest one send() may take before it gives up (SMTP: the message timeout). The pipeline
   * starts no send closer than this to the end of the row's lease, so a slow message can never
   * outlive its claim and be sent again by another worker.
   */
  readonly maxSendMs?: number;
  send(message: OutgoingMessage, meta?: SendMeta): Promise<SendResult>;
  close(): Promise<void>;
}

/**
 * A message the transport could not deliver. `temporary` = worth retrying later (4xx, connection
 * trouble, timeouts); `userUnknown` = the mailbox does not exist (the subscriber bounces);
 * `fatal` = nothing can be sent through this transport as configured (authentication or TLS
 * failure): the pipeline stops instead of burning through the whole list.
 */
export class SendError extends Error {
  constructor(
    message: string,
    readonly code: number | null,
    readonly response: string,
    readonly temporary: boolean,
    readonly userUnknown: boolean = false,
    readonly fatal: boolean = false,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

/** SMTP_URL set -> pooled SMTP; unset (or `outbox:`) -> `.eml` files under `<dataDir>/outbox`. */
export function createTransport(config: Config, logger: Logger): Transport {
  if (config.smtpUrl && config.smtpUrl !== OUTBOX_URL) return createSmtpTransport(config.smtpUrl, config.smtp, logger);
  return createOutboxTransport(config.dataDir, logger);
}
