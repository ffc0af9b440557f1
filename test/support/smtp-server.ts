// A real SMTP server on loopback for tests (the `smtp-server` package), which counts the messages
// each recipient received and can misbehave on demand.
//
//   const server = await startTestSmtpServer({ rcpt: (to, n) => n === 1 ? { code: 451 } : null });
//   config.smtpUrl = server.url;            // smtp://127.0.0.1:<port>
//   ... send ...
//   server.countFor('a@example.org');       // messages accepted for that recipient
//   await server.close();
//
// Faults are plain functions, read on every event, so a test may change `server.faults` while a
// send is running. `n` counts calls for the same recipient (1 = first), over the server's life.
// `keepMessages: true` keeps each accepted raw message (for parsing); off by default to keep
// memory flat in large tests.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

/** An SMTP reply used to refuse something: code 4xx/5xx and optional text. */
export interface Reply {
  code: number;
  message?: string;
}

export interface Faults {
  /** Reply on connect instead of the 220 greeting (e.g. 421), by connection number (1-based). */
  connect?: (connection: number) => Reply | null;
  /** Reply to RCPT TO instead of accepting (e.g. 451, 452, 550), by address and attempt number. */
  rcpt?: (address: string, attempt: number) => Reply | null;
  /** Reply at the end of DATA instead of 250 (e.g. 454), by recipient and DATA attempt number. */
  data?: (address: string, attempt: number) => Reply | null;
  /** Drop the TCP connection in the middle of DATA (after a few bytes); nothing is counted. */
  dropInData?: (address: string, attempt: number) => boolean;
  /** Never answer: at 'connect' (no greeting), to RCPT TO (before the message is sent) or at the end of DATA (no 250). */
  stall?: (phase: 'connect' | 'rcpt' | 'data', address: string | null) => boolean;
  /**
   * Accept the message at its final dot (it counts as delivered at once, as with an MTA that has
   * queued it) but send the 250 only this many ms later (a slow "250"), by recipient and DATA attempt.
   */
  replyDelayMs?: (address: string, attempt: number) => number;
}

export interface TestSmtpServer {
  readonly port: number;
  /** smtp://127.0.0.1:<port>, or smtps:// when started with `secure`. */
  readonly url: string;
  faults: Faults;
  /** Messages accepted (250 after DATA) per recipient address, lower-cased. */
  readonly counts: Map<string, number>;
  /** Accepted raw messages in order, when started with keepMessages. */
  readonly messages: Array<{ from: string; to: string[]; raw: Buffer }>;
  /** Total accepted messages (one per recipient per transaction). */
  accepted(): number;
  countFor(address: string): number;
  /** Recipients with more than one copy, and how many copies. */
  duplicates(): Array<[string, number]>;
  /** Connections opened so far, and the most that were open at once. */
  connections(): { total: number; peak: number };
  /** AUTH commands the server received (PLAIN or LOGIN), whether the credentials were right or not. */
  authAttempts(): number;
  /** What clients wrote on the wire before any TLS (only with recordCleartext): what an eavesdropper sees. */
  cleartext(): string;
  close(): Promise<void>;
}

export interface TestSmtpOptions extends Faults {
  /** Require AUTH PLAIN/LOGIN with these credentials. */
  auth?: { user: string; pass: string };
  /** Implicit TLS (smtps://) with smtp-server's built-in self-signed certificate. */
  secure?: boolean;
  /** Offer STARTTLS (default false: nodemailer upgrades opportunistically, and the built-in test
   * certificate is self-signed, so clients then need ?tls.rejectUnauthorized=false). */
  starttls?: boolean;
  keepMessages?: boolean;
  /** Keep the bytes clients send before TLS starts (see cleartext()); off by default: it holds every message. */
  recordCleartext?: boolean;
  /** Called for every accepted message with the client's EHLO name (e.g. to count per sender process). */
  onAccepted?: (info: { to: string[]; helo: string }) => void;
}

export async function startTestSmtpServer(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const { auth, secure = false, starttls = false, keepMessages = false, recordCleartext = false, onAccepted, ...faults } = options;
  const state = {
    faults: faults as Faults,
    counts: new Map<string, number>(),
    messages: [] as Array<{ from: string; to: string[]; raw: Buffer }>,
    accepted: 0,
    rcptAttempts: new Map<string, number>(),
    dataAttempts: new Map<string, number>(),
    connTotal: 0,
    open: 0,
    peak: 0,
    authAttempts: 0,
    cleartext: [] as Buffer[],
  };
  const sockets = new Set<{ destroy(): void }>();
  const bump = (m: Map<string, number>, k: string) => {
    const n = (m.get(k) ?? 0) + 1;
    m.set(k, n);
    return n;
  };
  const fail = (r: Reply) => Object.assign(new Error(r.message ?? defaultText(r.code)), { responseCode: r.code });

  const serverOptions: SMTPServerOptions = {
    secure,
    disabledCommands: [...(auth ? [] : ['AUTH']), ...(starttls && !secure ? [] : ['STARTTLS'])],
    authOptional: !auth,
    allowInsecureAuth: true,
    disableReverseLookup: true,
    logger: false,
    size: 50 * 1024 * 1024,
    onAuth(a, _session, cb) {
      state.authAttempts++;
      if (auth && a.username === auth.user && a.password === auth.pass) return cb(null, { user: a.username });
      cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onConnect(_session, cb) {
      const n = ++state.connTotal;
      if (state.faults.stall?.('connect', null)) return; // never greet
      const r = state.faults.connect?.(n);
      if (r) return cb(fail(r));
      cb();
    },
    onRcptTo(address, _session, cb) {
      const addr = address.address.toLowerCase();
      if (state.faults.stall?.('rcpt', addr)) return; // never answer
      const r = state.faults.rcpt?.(addr, bump(state.rcptAttempts, addr));
      if (r) return cb(fail(r));
      cb();
    },
    onData(stream, session, cb) {
      const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
      const first = to[0] ?? '';
      const attempt = bump(state.dataAttempts, first);
      const drop = state.faults.dropInData?.(first, attempt) ?? false;
      const chunks: Buffer[] = [];
      let dropped = false;
      stream.on('data', (c: Buffer) => {
        if (keepMessages) chunks.push(c);
        if (drop && !dropped) {
          dropped = true;
          destroySession(server, session);
        }
      });
      stream.on('error', () => {});
      stream.on('end', () => {
        if (dropped) return;
        if (state.faults.stall?.('data', first)) return; // never answer
        const r = state.faults.data?.(first, attempt);
        if (r) return cb(fail(r));
        for (const a of to) bump(state.counts, a);
        state.accepted += to.length;
        onAccepted?.({ to, helo: session.hostNameAppearsAs ?? '' });
        if (keepMessages) {
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          state.messages.push({ from, to, raw: Buffer.concat(chunks) });
        }
        const reply = `2.0.0 Ok: queued as ${state.accepted}`;
        const delay = state.faults.replyDelayMs?.(first, attempt) ?? 0;
        if (delay > 0) setTimeout(() => cb(null, reply), delay);
        else cb(null, reply);
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', () => {});
  server.server.on('connection', (socket) => {
    sockets.add(socket);
    state.open++;
    state.peak = Math.max(state.peak, state.open);
    // Bytes on the TCP socket itself: once STARTTLS has upgraded it they are TLS records.
    if (recordCleartext && !secure) socket.on('data', (chunk: Buffer) => state.cleartext.push(chunk));
    socket.on('close', () => {
      sockets.delete(socket);
      state.open--;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    url: `${secure ? 'smtps' : 'smtp'}://127.0.0.1:${port}`,
    get faults() {
      return state.faults;
    },
    set faults(f: Faults) {
      state.faults = f;
    },
    counts: state.counts,
    messages: state.messages,
    accepted: () => state.accepted,
    countFor: (a) => state.counts.get(a.toLowerCase()) ?? 0,
    duplicates: () => [...state.counts].filter(([, n]) => n > 1),
    connections: () => ({ total: state.connTotal, peak: state.peak }),
    authAttempts: () => state.authAttempts,
    cleartext: () => Buffer.concat(state.cleartext).toString('latin1'),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function destroySession(server: SMTPServer, session: SMTPServerSession): void {
  const connections = (server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }).connections;
  for (const c of connections) if (c.id === session.id) c._socket.destroy();
}

function defaultText(code: number): string {
  if (code === 421) return '4.7.0 Try again later, closing connection';
  if (code === 451) return '4.3.0 Temporary local problem, try again';
  if (code === 452) return '4.5.3 Too many recipients, try again later';
  if (code === 450) return '4.2.1 Mailbox busy, try again later';
  if (code === 454) return '4.7.0 Temporary authentication failure';
  if (code === 550) return '5.1.1 Recipient address rejected: User unknown';
  if (code === 554) return '5.7.1 Message rejected';
  return code >= 500 ? 'Rejected' : 'Try again later';
}
