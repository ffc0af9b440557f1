// The transport interface: one prepared message in, the server's answer out. The campaign pipeline
// only ever sees this interface, so SMTP and the outbox folder are interchangeable.
import { ConfigError, type Config } from '../config/config.js';
import { OUTBOX_URL, parseSmtpUrl } from '../config/smtp-url.js';
import type { OutgoingMessage } from '../email/message.js';
import type { Logger } from '../logging.js';
import { createOutboxTransport } from './transports/outbox.js';
import { createSmtpTransport, smtpIdentity } from './transports/smtp.js';

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
  /** Which transport this is, as recorded on campaigns (see transportIdentity). */
  readonly identity: string;
  /**
   * The longest one send() may take before it gives up (SMTP: the message timeout up to the final
   * dot plus the wait for the answer after it). The pipeline
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
    /** Lost after the final dot: the server may have the message. Never retried automatically. */
    readonly unknownOutcome: boolean = false,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

/**
 * The transport a configuration selects, as recorded on campaigns: `smtp://host:port` (never a
 * user, password or option) or `outbox`. Without SMTP_URL that is the outbox folder, except in
 * production (NODE_ENV=production or --production), where a missing SMTP_URL is a configuration
 * error: the outbox must then be chosen explicitly with `outbox:`.
 */
export function transportIdentity(config: Config): string {
  if (config.smtpUrl === OUTBOX_URL) return 'outbox';
  if (config.smtpUrl) {
    return smtpIdentity(parseSmtpUrl(config.smtpUrl)); // checked when the configuration loaded
  }
  if (config.production) {
    throw new ConfigError(
      'SMTP_URL: not set; in production (NODE_ENV=production or --production) mail is never written to the outbox folder by default: set SMTP_URL=smtp://... (or SMTP_URL=outbox: to write .eml files on purpose)',
    );
  }
  return 'outbox';
}

/** SMTP_URL set -> pooled SMTP; `outbox:` or (development) unset -> `.eml` files under `<dataDir>/outbox`. */
export function createTransport(config: Config, logger: Logger): Transport {
  if (transportIdentity(config) === 'outbox') return createOutboxTransport(config.dataDir, logger, config.smtpUrl === OUTBOX_URL);
  return createSmtpTransport(config.smtpUrl!, config.smtp, logger);
}
