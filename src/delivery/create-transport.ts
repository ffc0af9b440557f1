// Picks and builds the transport a configuration selects. It sits above the transports (they
// import only send-error.ts and transport-types.ts), so no module imports back into this one.
import { ConfigError, type Config } from '../config/config.js';
import { OUTBOX_URL, parseSmtpUrl } from '../config/smtp-url.js';
import type { Logger } from '../logging.js';
import type { Transport } from './transport-types.js';
import { createOutboxTransport } from './transports/outbox.js';
import { createSmtpTransport } from './transports/smtp.js';
import { createPipeliningTransport } from './transports/smtp-pipelining.js';
import { smtpIdentity } from './transports/smtp-shared.js';

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

/** SMTP_URL set -> pooled SMTP (our pipelining client; ?client=nodemailer for nodemailer's pool); `outbox:` or (development) unset -> `.eml` files under `<dataDir>/outbox`. */
export function createTransport(config: Config, logger: Logger): Transport {
  if (transportIdentity(config) === 'outbox') return createOutboxTransport(config.dataDir, logger, config.smtpUrl === OUTBOX_URL);
  const url = config.smtpUrl!;
  if (parseSmtpUrl(url).options.client === 'nodemailer') return createSmtpTransport(url, config.smtp, logger);
  return createPipeliningTransport(url, config.smtp, logger);
}
