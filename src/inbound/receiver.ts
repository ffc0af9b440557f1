// The SMTP receiver for the bounce domain (smtp-server): what the domain's MX points at, so that
// DSNs and ARF reports come straight back to Pressroom. It is no relay: a recipient outside the
// bounce address's domain is refused at RCPT (550 5.7.1), there is no AUTH, at most
// MAX_RECIPIENTS recipients per message, a size limit announced in EHLO (SIZE) and enforced at
// DATA (552), and timeouts on idle clients. A message is answered 250 only once it is processed
// (its events stored, or its reason to be ignored logged); a failure to store answers 451, and the
// sending MTA tries again later.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { addressDomain } from '../domain/address.js';
import type { FeedbackPolicy, FeedbackRecorder } from '../domain/feedback.js';
import type { Logger } from '../logging.js';
import { processFeedbackMessage } from './process.js';

/** A DSN or ARF report names one recipient; a few allow for an MTA batching reports of one message. */
const MAX_RECIPIENTS = 10;
const MAX_CLIENTS = 50;
/** An idle client is dropped after this; a real MTA sends a report in well under it. */
const SOCKET_TIMEOUT_MS = 60_000;
/** On stop, clients still connected after this are disconnected. */
const CLOSE_TIMEOUT_MS = 5_000;

export interface ReceiverOptions {
  bounceAddress: string;
  secret: string;
  maxMessageBytes: number;
  /** inbound.trustReportedAddresses (read.ts). */
  trustReportedAddresses?: boolean;
  host: string;
  /** 0 = any free port (tests). */
  port: number;
  recorder: FeedbackRecorder;
  policy: FeedbackPolicy;
  log: Logger;
}

export interface InboundReceiver {
  host: string;
  port: number;
  /** Stops accepting, lets messages in progress finish (up to a few seconds), then resolves. */
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startInboundReceiver(options: ReceiverOptions): Promise<InboundReceiver> {
  const { bounceAddress, secret, maxMessageBytes, recorder, policy, log, trustReportedAddresses } = options;
  // Checked at load (checkBounceAddress): a valid address.
  const bounceDomain = addressDomain(bounceAddress)!;

  const onRcptTo = (address: { address: string }, session: SMTPServerSession, callback: (err?: Error | null) => void) => {
    const domain = addressDomain(address.address);
    if (domain !== bounceDomain) {
      // The domain only: the rest of a stranger's address is not ours to log.
      log.warn({ domain, remote: session.remoteAddress }, `inbound: recipient refused (550 5.7.1): not the bounce domain ${bounceDomain}, no relaying`);
      return callback(smtpError(550, '5.7.1 Relaying denied'));
    }
    if (session.envelope.rcptTo.length >= MAX_RECIPIENTS) return callback(smtpError(452, '4.5.3 Too many recipients'));
    callback();
  };

  const onData = (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit nothing more is kept: the stream is drained and the message refused.
      if (size <= maxMessageBytes) chunks.push(chunk);
    });
    stream.on('end', () => {
      if (stream.sizeExceeded || size > maxMessageBytes) {
        log.warn(
          { bytes: size, limit: maxMessageBytes, remote: session.remoteAddress },
          `inbound: message refused (552): larger than inbound.maxMessageBytes (${maxMessageBytes} bytes)`,
        );
        return callback(smtpError(552, `5.3.4 Message too big (at most ${maxMessageBytes} bytes)`));
      }
      const recipients = session.envelope.rcptTo.map((r) => r.address);
      processFeedbackMessage(Buffer.concat(chunks), { recorder, policy, bounceAddress, secret, source: 'smtp', recipients, log, trustReportedAddresses }).then(
        () => callback(),
        (err: unknown) => {
          log.error({ error: err instanceof Error ? err.message : String(err) }, 'inbound: could not record a feedback message (451: the sender will retry)');
          callback(smtpError(451, '4.3.0 Could not store the message, try again later'));
        },
      );
    });
  };

  const server = new SMTPServer({
    banner: 'Pressroom bounce receiver',
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    size: maxMessageBytes,
    maxClients: MAX_CLIENTS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    closeTimeout: CLOSE_TIMEOUT_MS,
    onRcptTo,
    onData,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // From now on an error is one client's (a reset connection...): logged, never fatal.
  server.on('error', (err: Error) => log.debug({ error: err.message }, 'inbound: client connection error'));
  const { port } = server.server.address() as AddressInfo;
  log.info({ host: options.host, port, domain: bounceDomain }, 'inbound SMTP receiver listening');

  let closing: Promise<void> | null = null;
  return {
    host: options.host,
    port,
    close: () => (closing ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}
