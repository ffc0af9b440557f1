// What both SMTP clients share: the identity a campaign records, and the one classification of
// an SMTP failure into a SendError kind. Errors arrive shaped as nodemailer shapes them
// (`code`, `responseCode`, `response`, `command`); the pipelining client (smtp/session.ts) builds
// its errors the same way, so the rule lives here once.
import type { Config } from '../../config/config.js';
import { requiresTls, type SmtpUrl } from '../../config/smtp-url.js';
import type { Logger } from '../../logging.js';
import { TokenBucket } from '../rate-limit.js';
import { isUserUnknown } from '../retry.js';
import { SendError } from '../send-error.js';
import type { SendMeta } from '../transport-types.js';
import { oneLine } from '../../domain/one-line.js';

/** Errors that say the transport itself is misconfigured: stop instead of failing every row. */
const FATAL_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ETLS', 'EREQUIRETLS', 'ECONFIG', 'EPROXY']);
/** 5xx on these commands is about the session or sender, not the recipient. */
const SESSION_COMMANDS = new Set(['CONN', 'EHLO', 'HELO', 'LHLO', 'MAIL FROM', 'STARTTLS']);

/** What a campaign records as "the transport it was started with": scheme, host and port only (no user, password or options). */
export function smtpIdentity(url: SmtpUrl): string {
  return `${url.secure ? 'smtps' : 'smtp'}://${url.host.includes(':') ? `[${url.host}]` : url.host}:${url.port}`;
}

/** What the transport was asked to do, so a TLS failure can say what to change. */
export interface Connection {
  url: SmtpUrl;
  endpoint: string;
}

export function toSendError(err: unknown, timedOutAfter: number | null = null, afterFinalDot = false, connection?: Connection): SendError {
  const e = err as { message?: string; code?: string; responseCode?: number; response?: string; command?: string };
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  const response = oneLine(e.response || e.message || String(err));
  if (afterFinalDot && code === null) {
    // The server has the whole message and may have delivered it: retrying could send it twice.
    const why = timedOutAfter !== null ? `no answer within ${timedOutAfter} ms after the final dot` : `connection lost after the final dot (${response})`;
    return new SendError(`outcome unknown: ${why}`, { kind: 'unknown-outcome', response: `unknown: ${why}` });
  }
  if (timedOutAfter !== null) {
    return new SendError(`no answer within ${timedOutAfter} ms`, { kind: 'temporary', response: `timeout: ${response}` });
  }
  const tlsProblem = connection && tlsMisconfiguration(e, connection);
  if (tlsProblem) return new SendError(tlsProblem, { kind: 'fatal', code, response });
  if ((e.code && FATAL_CODES.has(e.code)) || (e.code === 'ESOCKET' && /certificate|self[- ]signed|ssl|tls/i.test(response))) {
    return new SendError(`${e.code}: ${response}`, { kind: 'fatal', code, response });
  }
  if (code !== null && code >= 500) {
    if (e.command && SESSION_COMMANDS.has(e.command)) {
      // The server refuses us or our sender address: no recipient would get through.
      return new SendError(`server refused the session at ${e.command}: ${response}`, { kind: 'fatal', code, response });
    }
    return new SendError(response, { kind: isUserUnknown(code, response) ? 'user-unknown' : 'permanent', code, response });
  }
  // 4xx, timeouts, refused or dropped connections: try again later.
  return new SendError(response, { kind: 'temporary', code, response: e.code && code === null ? `${e.code}: ${response}` : response });
}

/**
 * One line saying what is wrong for the two TLS mismatches an operator can fix in SMTP_URL: a
 * server that answers STARTTLS with an error while TLS is required, and smtps:// (TLS from the
 * first byte) to a port that speaks plain SMTP, which OpenSSL reports as "wrong version number".
 */
function tlsMisconfiguration(e: { message?: string; code?: string; command?: string }, { url, endpoint }: Connection): string | null {
  if (e.code === 'ETLS' && e.command === 'STARTTLS' && requiresTls(url) && /upgrading connection/i.test(e.message ?? '')) {
    return url.auth && !url.allowPlainAuth
      ? `${endpoint} does not offer STARTTLS, so the password would go out in clear: not sent (use smtps:// or a port with STARTTLS, or add allowPlainAuth=true to SMTP_URL to allow it)`
      : `${endpoint} does not offer STARTTLS, and SMTP_URL requires TLS (requireTLS=true)`;
  }
  if (url.secure && /wrong version number|WRONG_VERSION_NUMBER|packet length too long|unknown protocol/i.test(e.message ?? '')) {
    return `${endpoint}: the server does not speak TLS on this port; use smtp:// (STARTTLS) or port 465`;
  }
  return null;
}

export function parseCode(response: string): number | null {
  const m = /^(\d{3})/.exec(response);
  return m ? Number(m[1]) : null;
}

/** What both SMTP clients derive alike from the URL and settings: the send-rate bucket, the identity recorded on campaigns, the description in logs. */
export function smtpTransportBasics(
  url: SmtpUrl,
  smtp: Config['smtp'],
  logger: Logger,
): { bucket: TokenBucket | null; identity: string; description: string; connection: Connection } {
  const bucket = smtp.rateLimit ? new TokenBucket(smtp.rateLimit) : null;
  const identity = smtpIdentity(url);
  const description = `SMTP ${identity} (${smtp.maxConnections} connections${smtp.rateLimit ? `, ${smtp.rateLimit} msg/s` : ''})`;
  logger.debug({ transport: description }, 'SMTP transport ready');
  return { bucket, identity, description, connection: { url, endpoint: identity } };
}

/** Waits for a send permit of the local rate limit; a send aborted while waiting is a temporary failure. */
export async function takeSendPermit(bucket: TokenBucket | null, meta?: SendMeta): Promise<void> {
  if (!bucket) return;
  try {
    await bucket.take(meta?.signal);
  } catch {
    throw new SendError('aborted before sending', { kind: 'temporary', response: 'aborted' });
  }
}
