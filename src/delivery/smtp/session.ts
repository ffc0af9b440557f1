// One SMTP connection of the pipelining client: connect (plain or TLS), greeting, EHLO, STARTTLS,
// AUTH, then mail transactions one at a time, QUIT at the end. Replies are matched to commands in
// the order they were sent. Failures are SmtpErrors shaped like nodemailer's (code, responseCode,
// response, command), so transports/smtp-shared.ts classifies both clients alike.
import net, { type Socket } from 'node:net';
import tls, { type ConnectionOptions } from 'node:tls';
import { accepted, authPlain, base64, type Command, envelopeCommands, pipelinedGroup } from './commands.js';
import { refused, SmtpError } from './smtp-error.js';
import { capabilities, type Reply, ReplyParser } from './reply.js';

export interface SessionOptions {
  host: string;
  port: number;
  /** TLS from the first byte (smtps://). */
  secure: boolean;
  tls: ConnectionOptions;
  /** The name given in EHLO / HELO. */
  name: string;
  auth?: { user: string; pass: string };
  authMethod?: string;
  requireTLS: boolean;
  ignoreTLS: boolean;
  opportunisticTLS: boolean;
  localAddress?: string;
  connectionTimeout: number;
  greetingTimeout: number;
  /** Idle timeout while a reply is awaited (lifted after the final dot: `dataTimeout` bounds that wait). */
  socketTimeout: number;
  dataTimeout: number;
}

interface Pending {
  count: number;
  replies: Reply[];
  resolve(replies: Reply[]): void;
  reject(err: SmtpError): void;
}

export class SmtpSession {
  private socket: Socket;
  private readonly parser = new ReplyParser();
  private pending: Pending | null = null;
  private unsolicited: Reply[] = [];
  private dead: SmtpError | null = null;
  private pipelining = false;
  private usingTls: boolean;
  /** The last transaction failed: the server may still hold its envelope, so the next one starts with RSET. */
  private needsReset = false;

  private constructor(
    private readonly opts: SessionOptions,
    socket: Socket,
  ) {
    this.socket = socket;
    this.usingTls = opts.secure;
    this.attach(socket);
  }

  get alive(): boolean {
    return this.dead === null && !this.socket.destroyed;
  }

  /** Connects, reads the greeting, says EHLO, upgrades to TLS and authenticates as configured. */
  static async open(opts: SessionOptions): Promise<SmtpSession> {
    const servername = net.isIP(opts.host) ? undefined : opts.host;
    const socket = opts.secure
      ? tls.connect({ ...opts.tls, host: opts.host, port: opts.port, servername, localAddress: opts.localAddress } as ConnectionOptions)
      : net.connect({ host: opts.host, port: opts.port, localAddress: opts.localAddress });
    const session = new SmtpSession(opts, socket);
    try {
      await session.connected(opts.secure ? 'secureConnect' : 'connect');
      const [greeting] = await session.expect(null, 1, opts.greetingTimeout, 'Greeting never received');
      if (greeting!.code !== 220) throw refused('CONN', greeting!, 'EPROTOCOL');
      await session.handshake();
      return session;
    } catch (err) {
      // Fully closed before the failure is reported, so the next attempt never overlaps this connection.
      await session.closed();
      throw err;
    }
  }

  private closed(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.socket.closed ? setImmediate(resolve) : this.socket.once('close', () => setImmediate(resolve))));
    this.destroy();
    return done;
  }

  /**
   * One mail transaction: with PIPELINING the envelope and DATA in one write, then the content in
   * (corked, vectored) write after the 354. `content` is the dot-stuffed DATA content ending in CRLF "." CRLF.
   * `onFinalDot` runs once the whole content has been handed to the operating system.
   * `beforeFinalDot` is asked once the server is ready for the content: if it returns a promise,
   * everything but the final dot is written first and the dot only once it resolves (the server
   * cannot accept the message before); if it rejects, the connection is closed without the dot, so
   * nothing is delivered, and send rejects with its error. Undefined: nothing to wait for.
   */
  async send(from: string, to: readonly string[], content: readonly Buffer[], onFinalDot: () => void, beforeFinalDot?: () => Promise<void> | undefined): Promise<Reply> {
    const commands = envelopeCommands(from, to, this.needsReset);
    this.needsReset = true; // until the server accepts the message
    const replies = await this.envelope(commands);
    const failed = commands.findIndex((c, i) => !accepted(c, replies[i]));
    if (failed !== -1) {
      const command = commands[failed]!;
      if (command.name === 'RSET') {
        // The session itself is in doubt, not this recipient: a fresh connection for the next try.
        this.destroy();
        throw new SmtpError(`RSET failed: ${replies[failed]!.text}`, 'EPROTOCOL', 'RSET', undefined, replies[failed]!.text);
      }
      // A refused RCPT is the answer even when DATA then says 503/554 "no valid recipients".
      if (command.name === 'DATA' || replies[replies.length - 1]?.code !== 354) {
        this.closeAfter(replies[failed]!);
        throw refused(command.name, replies[failed]!);
      }
      // DATA accepted after a refused RCPT (RFC 2920 forbids it): end the connection without a final dot, so nothing is delivered.
      this.destroy();
      throw refused(command.name, replies[failed]!);
    }
    let rest = content;
    const wait = beforeFinalDot?.();
    if (wait) {
      if (this.dead) throw this.dead;
      this.writeCorked(content, content.length - 1);
      rest = content.slice(-1);
      try {
        await wait;
      } catch (err) {
        this.destroy();
        throw err;
      }
    }
    const [answer] = await this.expect(rest, 1, this.opts.socketTimeout, 'Timeout', () => {
      onFinalDot();
      // The answer may take minutes (RFC 5321 4.5.3.2.6): the caller's dataTimeout bounds that wait, not the idle timeout.
      this.socket.setTimeout(this.opts.dataTimeout + 1000);
    });
    this.socket.setTimeout(this.opts.socketTimeout);
    if (answer!.code !== 250) {
      this.closeAfter(answer!);
      throw new SmtpError(`Message failed: ${answer!.text}`, 'EMESSAGE', 'DATA', answer!.code || undefined, answer!.text);
    }
    this.needsReset = false;
    return answer!;
  }

  /** QUIT, then the connection closes; bounded by `waitMs` (a server that does not answer is cut off). */
  async quit(waitMs = 2000): Promise<void> {
    if (!this.alive) return;
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    this.dead = new SmtpError('Connection closed by QUIT', 'ECONNECTION');
    this.socket.write('QUIT\r\n');
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), waitMs);
    await closed;
    clearTimeout(timer);
  }

  /** Ends the connection at once (a timeout, an abort, or a state nothing can follow). */
  destroy(reason = new SmtpError('Connection closed', 'ECONNECTION')): void {
    this.fail(reason);
  }

  private async envelope(commands: Command[]): Promise<Reply[]> {
    if (this.pipelining) {
      try {
        return await this.expect(pipelinedGroup(commands), commands.length, this.opts.socketTimeout, 'Timeout');
      } catch (err) {
        // The connection ended mid-group (e.g. 421 to RCPT, then closed): a refusal that did arrive is the answer.
        const replies = (err as { replies?: Reply[] }).replies ?? [];
        if (replies.some((r, i) => !accepted(commands[i]!, r))) return replies;
        throw err;
      }
    }
    const replies: Reply[] = [];
    for (const c of commands) {
      const [reply] = await this.expect(c.line, 1, this.opts.socketTimeout, 'Timeout').catch((err: SmtpError & { replies?: Reply[] }) => {
        if (err.replies?.[0]) return err.replies;
        throw err;
      });
      replies.push(reply!);
      if (!accepted(c, reply)) break; // lock-step: nothing after a refused command
    }
    return replies;
  }

  private async handshake(): Promise<void> {
    let ehlo = await this.hello();
    let caps = capabilities(ehlo);
    const { requireTLS, ignoreTLS, opportunisticTLS, auth } = this.opts;
    if (!this.usingTls && !ignoreTLS && (caps.starttls || requireTLS)) {
      const upgradeFailed = (reply?: Reply) =>
        new SmtpError('Error upgrading connection with STARTTLS', 'ETLS', 'STARTTLS', reply?.code || undefined, reply?.text ?? 'STARTTLS not offered');
      if (!caps.starttls) throw upgradeFailed();
      const [reply] = await this.expect('STARTTLS\r\n', 1, this.opts.socketTimeout, 'Timeout');
      if (reply!.code === 220) {
        await this.upgrade();
        ehlo = await this.hello();
        caps = capabilities(ehlo);
      } else if (!opportunisticTLS || requireTLS) {
        throw upgradeFailed(reply);
      }
    }
    if (auth) await this.authenticate(auth, caps.auth);
    this.pipelining = caps.pipelining;
  }

  /** EHLO, or HELO for a server that does not know EHLO (then no extensions). */
  private async hello(): Promise<Reply | null> {
    const [ehlo] = await this.expect(`EHLO ${this.opts.name}\r\n`, 1, this.opts.socketTimeout, 'Timeout');
    if (ehlo!.code === 250) return ehlo!;
    if (ehlo!.code === 421) throw refused('EHLO', ehlo!, 'EPROTOCOL');
    const [helo] = await this.expect(`HELO ${this.opts.name}\r\n`, 1, this.opts.socketTimeout, 'Timeout');
    if (helo!.code !== 250) throw refused('HELO', helo!, 'EPROTOCOL');
    return null;
  }

  private async authenticate({ user, pass }: { user: string; pass: string }, offered: string[]): Promise<void> {
    const method = this.opts.authMethod?.toUpperCase() ?? (offered.includes('PLAIN') || !offered.includes('LOGIN') ? 'PLAIN' : 'LOGIN');
    const command = `AUTH ${method}`;
    const step = async (line: string, want: number) => {
      const [reply] = await this.expect(line, 1, this.opts.socketTimeout, 'Timeout');
      if (reply!.code !== want) throw new SmtpError(`Invalid login: ${reply!.text}`, 'EAUTH', command, reply!.code || undefined, reply!.text);
    };
    if (method === 'PLAIN') return step(`AUTH PLAIN ${authPlain(user, pass)}\r\n`, 235);
    if (method !== 'LOGIN') throw new SmtpError(`authentication method ${method} is not supported (PLAIN or LOGIN)`, 'EAUTH', command);
    await step('AUTH LOGIN\r\n', 334);
    await step(`${base64(user)}\r\n`, 334);
    await step(`${base64(pass)}\r\n`, 235);
  }

  private async upgrade(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('timeout');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    plain.on('error', () => {}); // reported by the TLS socket
    const servername = net.isIP(this.opts.host) ? undefined : this.opts.host;
    const secure = tls.connect({ socket: plain, servername, ...this.opts.tls });
    this.socket = secure;
    this.attach(secure);
    try {
      await this.connected('secureConnect');
    } catch (err) {
      const e = err as SmtpError;
      throw new SmtpError(e.message, 'ETLS', 'STARTTLS', undefined, e.message);
    }
    this.usingTls = true;
  }

  private attach(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (err: Error) => this.fail(new SmtpError(err.message, 'ESOCKET')));
    socket.on('close', () => this.fail(new SmtpError('Connection closed unexpectedly', 'ECONNECTION')));
    socket.on('timeout', () => this.fail(new SmtpError('Timeout', 'ETIMEDOUT')));
  }

  private connected(event: 'connect' | 'secureConnect'): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new SmtpError('Connection timeout', 'ETIMEDOUT')), this.opts.connectionTimeout);
      this.pending = { count: Infinity, replies: [], resolve: () => {}, reject: (e) => (clearTimeout(timer), reject(e)) };
      this.socket.once(event, () => {
        clearTimeout(timer);
        this.pending = null;
        resolve();
      });
    });
  }

  /**
   * Writes `data` (nothing for the greeting) and waits for `count` replies. `timeoutMs` is the idle
   * timeout meanwhile; `onWritten` runs when the data has been handed to the operating system.
   */
  private expect(data: string | readonly Buffer[] | null, count: number, timeoutMs: number, timeoutText: string, onWritten?: () => void): Promise<Reply[]> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise<Reply[]>((resolve, reject) => {
      const replies = this.unsolicited.splice(0, count);
      if (replies.length === count) return resolve(replies);
      this.pending = { count, replies, resolve, reject };
      this.socket.setTimeout(timeoutMs);
      this.timeoutText = timeoutText;
      const written = (err?: Error | null) => {
        if (!err) onWritten?.();
      };
      if (typeof data === 'string') {
        this.socket.write(data, written);
      } else if (data !== null) {
        this.writeCorked(data, data.length, written);
      }
    });
  }

  /** One vectored write of pieces[0 .. end): no copy of the message into one buffer. `written` follows the last piece. */
  private writeCorked(pieces: readonly Buffer[], end: number, written?: (err?: Error | null) => void): void {
    this.socket.cork();
    for (let i = 0; i < end - 1; i++) this.socket.write(pieces[i]!);
    if (end > 0) this.socket.write(pieces[end - 1]!, written);
    this.socket.uncork();
  }

  private timeoutText = 'Timeout';

  private received(chunk: Buffer): void {
    for (const reply of this.parser.push(chunk)) {
      const p = this.pending;
      if (!p || p.replies.length >= p.count) {
        this.unsolicited.push(reply); // e.g. a 421 before the server closes: the next command reads it
        continue;
      }
      p.replies.push(reply);
      if (p.replies.length === p.count) {
        this.pending = null;
        p.resolve(p.replies);
      }
    }
  }

  /** A 421 says the server is closing the connection: do not use it again. */
  private closeAfter(reply: Reply): void {
    if (reply.code === 421) this.destroy(new SmtpError(`Connection closed by the server: ${reply.text}`, 'ECONNECTION'));
  }

  private fail(err: SmtpError): void {
    if (err.code === 'ETIMEDOUT' && err.message === 'Timeout') err = new SmtpError(this.timeoutText, 'ETIMEDOUT');
    this.dead ??= err;
    const p = this.pending;
    this.pending = null;
    if (p) {
      // The replies that did arrive decide: a 421 to RCPT before the close is the RCPT's answer.
      const partial = Object.assign(err, { replies: p.replies });
      p.reject(partial);
    }
    if (!this.socket.destroyed) this.socket.destroy();
  }
}
