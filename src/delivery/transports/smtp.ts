// Pooled SMTP through nodemailer's SMTP pool. The prepared raw message is handed to the pool as
// one buffer: no MIME is rebuilt per recipient, and the pool only dot-stuffs it on the wire.
// We call the pool directly rather than through `transporter.sendMail({ envelope, raw })`:
// sendMail runs every message through the Mailer's MIME tree and plugin stages (a stream per
// message, header normalising, message-id parsing), which cost 2-3x the throughput on a fast
// local MTA (see BENCHMARKS.md "send") and add nothing to an already complete message.
//
// Retries are ours, not nodemailer's: `maxRequeues: 0` stops the pool from silently re-sending a
// message after a dropped connection, so every attempt is counted in the ledger. Connections are
// kept for the whole run (`maxMessages: Infinity`) like a long-lived MTA session.
//
// The connection options come from SMTP_URL as config/smtp-url.ts reads it (the configuration has
// already checked it), e.g. smtp://user:pass@host:587?socketTimeout=30000&tls.rejectUnauthorized=false.
// Credentials on smtp:// are only sent after STARTTLS (requireTLS) unless the URL says allowPlainAuth=true.
// `messageTimeout` (ms, ours) bounds one whole message up to its final dot, which catches a server
// that trickles replies slowly enough that no socket timeout fires.
//
// After the final dot the server holds the message, and RFC 5321 (section 4.5.3.2.6) gives it 10
// minutes to answer: we wait `dataTimeout` (ms, ours, default 10 min) for that answer, with the
// socket's idle timeout lifted for the wait. A timeout or a lost connection there is an unknown
// outcome (the message may have been delivered): never retried blindly (kind 'unknown-outcome').
import { Socket } from 'node:net';
import { Readable, type Writable } from 'node:stream';
import SMTPPool from 'nodemailer/lib/smtp-pool';
import type { Config } from '../../config/config.js';
import { maxSendMs, parseSmtpUrl, requiresTls, type SmtpUrl } from '../../config/smtp-url.js';
import type { OutgoingMessage } from '../../email/message.js';
import type { Logger } from '../../logging.js';
import { TokenBucket } from '../rate-limit.js';
import { isUserUnknown } from '../retry.js';
import { SendError } from '../send-error.js';
import type { SendMeta, SendResult, Transport } from '../transport-types.js';

const DEFAULTS = {
  connectionTimeout: 30_000,
  greetingTimeout: 30_000,
  socketTimeout: 60_000,
  // messageTimeout (up to the final dot) and dataTimeout (after it: RFC 5321 section 4.5.3.2.6,
  // Postfix waits as long) default in config/smtp-url.ts: together they make Transport.maxSendMs,
  // which the configuration checks the lease against.
};

/** Errors that say the transport itself is misconfigured: stop instead of failing every row. */
const FATAL_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ETLS', 'EREQUIRETLS', 'ECONFIG', 'EPROXY']);
/** 5xx on these commands is about the session or sender, not the recipient. */
const SESSION_COMMANDS = new Set(['CONN', 'EHLO', 'HELO', 'LHLO', 'MAIL FROM', 'STARTTLS']);

export function createSmtpTransport(smtpUrl: string, smtp: Config['smtp'], logger: Logger): Transport {
  const url = parseSmtpUrl(smtpUrl);
  const { messageTimeout, dataTimeout } = url;
  const socketTimeout = typeof url.options.socketTimeout === 'number' ? url.options.socketTimeout : DEFAULTS.socketTimeout;
  const tlsRequired = requiresTls(url);

  const pool = new SMTPPool({
    connectionTimeout: DEFAULTS.connectionTimeout,
    greetingTimeout: DEFAULTS.greetingTimeout,
    socketTimeout: DEFAULTS.socketTimeout,
    // The URL's query options win over the defaults above, never over the pool settings below.
    ...url.options,
    host: url.host,
    port: url.port,
    secure: url.secure,
    auth: url.auth,
    tls: url.tls,
    requireTLS: tlsRequired,
    maxConnections: smtp.maxConnections,
    maxMessages: Infinity,
    maxRequeues: 0,
  });
  pool.on('error', () => {}); // failures are reported per message
  const bucket = smtp.rateLimit ? new TokenBucket(smtp.rateLimit) : null;
  const identity = smtpIdentity(url);
  const description = `SMTP ${identity} (${smtp.maxConnections} connections${smtp.rateLimit ? `, ${smtp.rateLimit} msg/s` : ''})`;
  const connection: Connection = { url, endpoint: identity };
  logger.debug({ transport: description }, 'SMTP transport ready');

  return {
    description,
    identity,
    maxSendMs: maxSendMs(url),
    async send(message: OutgoingMessage, meta?: SendMeta): Promise<SendResult> {
      if (bucket) {
        try {
          await bucket.take(meta?.signal);
        } catch {
          throw new SendError('aborted before sending', { kind: 'temporary', response: 'aborted' });
        }
      }
      // One plain controller and timer per message: AbortSignal.timeout/any cost more per message.
      const controller = new AbortController();
      let timedOut: number | null = null;
      const expire = (ms: number) =>
        setTimeout(() => {
          timedOut = ms;
          controller.abort();
        }, ms);
      let timer = expire(messageTimeout);
      let afterDot = false;
      let lifted: Socket | null = null;
      const onFinalDot = (socket: Socket | null) => {
        afterDot = true;
        clearTimeout(timer);
        timer = expire(dataTimeout);
        // Our timer decides how long to wait for the answer, not the socket's idle timeout.
        if (socket && !socket.destroyed) {
          socket.setTimeout(dataTimeout + 1000);
          lifted = socket;
        }
      };
      const onAbort = () => controller.abort();
      meta?.signal?.addEventListener('abort', onAbort, { once: true });
      if (meta?.signal?.aborted) controller.abort();
      const signal = controller.signal;
      try {
        const info = await poolSend(pool, message, signal, onFinalDot);
        const response = String(info.response ?? '');
        const rejected = (info.rejected ?? []) as unknown[];
        if (rejected.length > 0) {
          // One recipient per message: a rejection arrives as an error, but be strict anyway.
          throw new SendError(`rejected: ${rejected.join(', ')}`, { kind: 'permanent', code: parseCode(response), response });
        }
        return { code: parseCode(response) ?? 250, response };
      } catch (err) {
        if (err instanceof SendError) throw err;
        throw toSendError(err, timedOut, afterDot, connection);
      } finally {
        clearTimeout(timer);
        const socket = lifted as Socket | null;
        if (socket && !socket.destroyed) socket.setTimeout(socketTimeout); // idle again: today's timeout
        meta?.signal?.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      bucket?.stop();
      pool.close();
    },
  };
}

/**
 * Hands one complete message to the pool. The pool only needs the envelope, the Message-ID (for
 * its logs) and a stream of the bytes, so this is the whole "mail" it sees.
 */
function poolSend(
  pool: SMTPPool,
  message: OutgoingMessage,
  signal: AbortSignal,
  onFinalDot: (socket: Socket | null) => void,
): Promise<{ response?: string; rejected?: unknown[] }> {
  const mail = {
    data: { signal },
    message: {
      getEnvelope: () => ({ from: message.envelope.from, to: message.envelope.to }),
      messageId: () => message.messageId,
      getHeader: (key: string) => (key.toLowerCase() === 'message-id' ? message.messageId : undefined),
      createReadStream: () => {
        const stream = new Readable({ read() {} });
        watchFinalDot(stream, onFinalDot);
        stream.push(message.raw);
        stream.push(null);
        return stream;
      },
    },
  };
  return new Promise((resolve, reject) => {
    pool.send(mail as unknown as Parameters<SMTPPool['send']>[0], (err, info) => (err ? reject(err) : resolve(info as { response?: string })));
  });
}

/**
 * nodemailer pipes our message stream into its dot-stuffing DataStream, which pipes into the
 * socket and writes the final `.` when our stream ends; its readable side ends once that last
 * chunk has been handed to the socket. That moment is the final dot. The socket is the stream the
 * DataStream already pipes into when it is piped to (Node keeps it in `_readableState.pipes`);
 * if it cannot be found, the wait is bounded by the socket's own timeout instead.
 */
function watchFinalDot(stream: Readable, onFinalDot: (socket: Socket | null) => void): void {
  const pipe = stream.pipe.bind(stream);
  stream.pipe = (<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T => {
    const dataStream = destination as unknown as Writable & Readable & { _readableState?: { pipes?: unknown[] } };
    const socket = (dataStream._readableState?.pipes ?? []).find((p): p is Socket => p instanceof Socket) ?? null;
    if (typeof dataStream.once === 'function') dataStream.once('end', () => onFinalDot(socket));
    return pipe(destination, options);
  }) as Readable['pipe'];
}

/** What a campaign records as "the transport it was started with": scheme, host and port only (no user, password or options). */
export function smtpIdentity(url: SmtpUrl): string {
  return `${url.secure ? 'smtps' : 'smtp'}://${url.host.includes(':') ? `[${url.host}]` : url.host}:${url.port}`;
}

/** What the transport was asked to do, so a TLS failure can say what to change. */
interface Connection {
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

function parseCode(response: string): number | null {
  const m = /^(\d{3})/.exec(response);
  return m ? Number(m[1]) : null;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
