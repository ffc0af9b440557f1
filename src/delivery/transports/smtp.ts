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
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { Readable, type Writable } from 'node:stream';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { Config } from '../../config/config.js';
import { maxSendMs, parseSmtpUrl, requiresTls, type SmtpUrl } from '../../config/smtp-url.js';
import type { OutgoingMessage } from '../../email/message.js';
import type { Logger } from '../../logging.js';
import { SendError } from '../send-error.js';
import type { SendMeta, SendResult, Transport } from '../transport-types.js';
import { parseCode, smtpTransportBasics, takeSendPermit, toSendError } from './smtp-shared.js';

/** The URL's options minus ours that nodemailer does not know. */
function withoutClient(options: SmtpUrl['options']): SmtpUrl['options'] {
  const { client: _client, ...rest } = options;
  return rest;
}

const DEFAULTS = {
  connectionTimeout: 30_000,
  greetingTimeout: 30_000,
  socketTimeout: 60_000,
  // messageTimeout (up to the final dot) and dataTimeout (after it: RFC 5321 section 4.5.3.2.6,
  // Postfix waits as long) default in config/smtp-url.ts: together they make Transport.maxSendMs,
  // which the configuration checks the lease against.
};

export function createSmtpTransport(smtpUrl: string, smtp: Config['smtp'], logger: Logger): Transport {
  const url = parseSmtpUrl(smtpUrl);
  const { messageTimeout, dataTimeout } = url;
  const socketTimeout = typeof url.options.socketTimeout === 'number' ? url.options.socketTimeout : DEFAULTS.socketTimeout;
  const tlsRequired = requiresTls(url);

  // Required only when this client is chosen: the default (pipelining) transport never loads it.
  const Pool = createRequire(import.meta.url)('nodemailer/lib/smtp-pool') as typeof SMTPPool;
  const pool = new Pool({
    connectionTimeout: DEFAULTS.connectionTimeout,
    greetingTimeout: DEFAULTS.greetingTimeout,
    socketTimeout: DEFAULTS.socketTimeout,
    // The URL's query options win over the defaults above, never over the pool settings below.
    ...withoutClient(url.options),
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
  const { bucket, identity, description, connection } = smtpTransportBasics(url, smtp, logger);

  return {
    description,
    identity,
    maxSendMs: maxSendMs(url),
    async send(message: OutgoingMessage, meta?: SendMeta): Promise<SendResult> {
      await takeSendPermit(bucket, meta);
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
