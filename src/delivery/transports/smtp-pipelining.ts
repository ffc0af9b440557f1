// Campaign sends over our own SMTP client (delivery/smtp/): ESMTP PIPELINING when the server offers
// it (MAIL FROM, RCPT TO and DATA in one write, the content in one more), messages dot-stuffed
// once per campaign (email/dot-stuff.ts), RSET only after a failed transaction, QUIT at the end.
// Up to `maxConnections` connections, each carrying one transaction at a time (the lanes of a
// campaign take one each). Timeouts, STARTTLS/AUTH rules and the error classification are those of
// the nodemailer transport (smtp.ts, smtp-shared.ts), which stays selectable with ?client=nodemailer.
import { hostname } from 'node:os';
import type { ConnectionOptions } from 'node:tls';
import type { Config } from '../../config/config.js';
import { maxSendMs, parseSmtpUrl, requiresTls, type SmtpUrl } from '../../config/smtp-url.js';
import { stuffedData } from '../../email/dot-stuff.js';
import type { OutgoingMessage } from '../../email/message.js';
import type { Logger } from '../../logging.js';
import { type SessionOptions, SmtpSession } from '../smtp/session.js';
import type { SendMeta, SendResult, Transport } from '../transport-types.js';
import { smtpTransportBasics, takeSendPermit, toSendError } from './smtp-shared.js';

const DEFAULTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

export function createPipeliningTransport(smtpUrl: string, smtp: Config['smtp'], logger: Logger): Transport {
  const url = parseSmtpUrl(smtpUrl);
  const { messageTimeout, dataTimeout } = url;
  const pool = new SessionPool(sessionOptions(url), smtp.maxConnections);
  const { bucket, identity, description, connection } = smtpTransportBasics(url, smtp, logger);

  return {
    description,
    identity,
    maxSendMs: maxSendMs(url),
    holdsFinalDot: true,
    async send(message: OutgoingMessage, meta?: SendMeta): Promise<SendResult> {
      await takeSendPermit(bucket, meta);
      let session: SmtpSession | null = null;
      let timedOut: number | null = null;
      let afterDot = false;
      let stop: ((why: number | null) => void) | null = null;
      const stopped = new Promise<never>((_, reject) => {
        stop = (why) => {
          timedOut = why;
          session?.destroy();
          reject(new Error(why === null ? 'aborted' : `Timeout after ${why} ms`));
        };
      });
      stopped.catch(() => {});
      let timer = setTimeout(() => stop!(messageTimeout), messageTimeout);
      const onAbort = () => stop!(null);
      meta?.signal?.addEventListener('abort', onAbort, { once: true });
      if (meta?.signal?.aborted) onAbort();
      const onFinalDot = () => {
        afterDot = true;
        clearTimeout(timer);
        timer = setTimeout(() => stop!(dataTimeout), dataTimeout);
      };
      const opened = pool.acquire();
      try {
        session = await Promise.race([opened.session, stopped]);
        const content = message.smtpData ?? stuffedData([message.raw]);
        const reply = await Promise.race([session.send(message.envelope.from, message.envelope.to, content, onFinalDot, meta?.beforeFinalDot), stopped]);
        return { code: reply.code, response: reply.text };
      } catch (err) {
        throw toSendError(err, timedOut, afterDot, connection);
      } finally {
        clearTimeout(timer);
        meta?.signal?.removeEventListener('abort', onAbort);
        // Given up while the connection was still opening: it goes back to the pool once it is open.
        if (session) pool.release(session);
        else
          opened.session.then(
            (s) => pool.release(s),
            () => {},
          );
      }
    },
    async close() {
      bucket?.stop();
      await pool.close();
    },
  };
}

/** The session settings from the URL: its query options over our defaults, TLS required as requiresTls says. */
function sessionOptions(url: SmtpUrl): SessionOptions {
  const o = url.options;
  const ms = (key: keyof typeof DEFAULTS) => (typeof o[key] === 'number' ? (o[key] as number) : DEFAULTS[key]);
  return {
    host: url.host,
    port: url.port,
    secure: url.secure,
    tls: url.tls as ConnectionOptions,
    name: typeof o.name === 'string' ? o.name : defaultHeloName(),
    auth: url.auth,
    authMethod: typeof o.authMethod === 'string' ? o.authMethod : undefined,
    requireTLS: requiresTls(url),
    ignoreTLS: o.ignoreTLS === true,
    opportunisticTLS: o.opportunisticTLS === true,
    localAddress: typeof o.localAddress === 'string' ? o.localAddress : undefined,
    connectionTimeout: ms('connectionTimeout'),
    greetingTimeout: ms('greetingTimeout'),
    socketTimeout: ms('socketTimeout'),
    dataTimeout: url.dataTimeout,
  };
}

/** The machine's name when it is a domain name (as nodemailer chooses it), else an address literal. */
function defaultHeloName(): string {
  const name = hostname();
  return name.includes('.') && /^[a-z0-9.-]+$/i.test(name) ? name : '[127.0.0.1]';
}

/** Up to `max` sessions, each lent to one send at a time; a broken one is dropped and the next send opens a new one. */
class SessionPool {
  private readonly idle: SmtpSession[] = [];
  private readonly waiting: Array<(session: SmtpSession | null) => void> = [];
  private readonly all = new Set<SmtpSession>();
  private open = 0;
  private closing = false;

  constructor(
    private readonly options: SessionOptions,
    private readonly max: number,
  ) {}

  /** An idle session, a new one (opened here, so its failures belong to this send), or the next one given back. */
  acquire(): { session: Promise<SmtpSession> } {
    for (let s = this.idle.pop(); s; s = this.idle.pop()) {
      if (s.alive) return { session: Promise.resolve(s) };
      this.drop(s);
    }
    if (this.open < this.max) return { session: this.connect() };
    return {
      session: new Promise<SmtpSession | null>((resolve) => this.waiting.push(resolve)).then((s) => s ?? this.connect()),
    };
  }

  release(session: SmtpSession): void {
    if (!session.alive || this.closing) {
      this.drop(session);
      if (this.closing) void session.quit();
      return;
    }
    const next = this.waiting.shift();
    if (next) next(session);
    else this.idle.push(session);
  }

  async close(): Promise<void> {
    this.closing = true;
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((s) => s.quit()));
    for (const s of this.all) s.destroy();
  }

  private async connect(): Promise<SmtpSession> {
    this.open++;
    try {
      const s = await SmtpSession.open(this.options);
      this.all.add(s);
      return s;
    } catch (err) {
      this.open--;
      this.waiting.shift()?.(null); // a waiting send may try its own connection
      throw err;
    }
  }

  private drop(session: SmtpSession): void {
    if (!this.all.delete(session)) return;
    this.open--;
    session.destroy();
    this.waiting.shift()?.(null);
  }
}
