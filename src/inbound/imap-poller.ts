// The bounce mailbox at a provider (inbound.imapUrl), polled every inbound.imapPollSeconds: each
// message not yet processed is handed over as raw bytes with the recipients its header names, then
// flagged \Seen + $PressroomProcessed (and moved to inbound.imapMoveTo when set).
//
// "Not yet processed" is kept on the messages themselves (the $PressroomProcessed keyword; with
// imapMoveTo, also their absence from the polled folder), not as UIDVALIDITY + last UID in the
// store: a message whose handling failed stays unflagged and is simply found again by the next
// poll's SEARCH UNKEYWORD, whatever came after it; a UIDVALIDITY change (a rebuilt mailbox) needs
// no special case; and a human looking at the mailbox sees what was done. A crash between the
// handling and the flag hands the message over again after a restart, which the store absorbs:
// feedback events are unique by source and event id (src/storage/core/feedback.ts).
//
// One connection per poll, closed after it: nothing is held open between polls, and a dropped
// connection is just a failed poll. A poll that cannot connect or log in is logged (one line) and
// retried with backoff; nothing else stops.
import type { ConnectionOptions } from 'node:tls';
import { ImapFlow } from 'imapflow';
import { boundedLine } from '../domain/one-line.js';
import type { Logger } from '../logging.js';
import { headerRecipients } from './header-recipients.js';
import { parseImapUrl, type ImapMailbox } from './imap-url.js';

export const PROCESSED_KEYWORD = '$PressroomProcessed';

/** Longest wait between polls after failures to connect, whatever imapPollSeconds is below it. */
const MAX_BACKOFF_SECONDS = 15 * 60;

/** `received`: when the mailbox got the message (its INTERNALDATE), not when it was polled: a backlog read days later keeps its dates. */
export type HandleMessage = (raw: Buffer, recipients: string[], received: Date) => Promise<void>;

export interface ImapPollerOptions {
  /** inbound.imapUrl, checked at load. */
  url: string;
  pollSeconds: number;
  /** inbound.imapMoveTo: processed messages go to this folder (created when missing). */
  moveTo?: string;
  /** Larger messages are not read (inbound.maxMessageBytes, as the SMTP receiver refuses them): flagged with a warning. */
  maxMessageBytes: number;
  handle: HandleMessage;
  log: Logger;
  /** More TLS options, e.g. `ca` for a private certificate authority. Certificates are always verified. */
  tls?: ConnectionOptions;
}

export interface PollReport {
  /** Handed over and marked processed. */
  handled: number;
  /** The handler threw: left unprocessed for the next poll. */
  failed: number;
  /** Too large to read: marked processed without being handed over. */
  tooLarge: number;
}

/** Seconds until the next poll: the interval, doubled for each failure in a row, up to 15 minutes (or the interval, when longer). */
export function pollDelaySeconds(pollSeconds: number, failuresInARow: number): number {
  if (failuresInARow <= 0) return pollSeconds;
  return Math.min(pollSeconds * 2 ** Math.min(failuresInARow, 30), Math.max(pollSeconds, MAX_BACKOFF_SECONDS));
}

/** Why a poll could not run, in one line (imapflow puts the server's words in responseText). */
function reason(err: unknown): string {
  const e = err as { message?: string; responseText?: string; authenticationFailed?: boolean; code?: string };
  if (e.authenticationFailed) return `login refused${e.responseText ? ` (${e.responseText})` : ''}: check the user and password in inbound.imapUrl`;
  const text = [e.message, e.responseText && e.responseText !== e.message ? e.responseText : null, e.code && !e.message?.includes(e.code) ? e.code : null]
    .filter(Boolean)
    .join(': ');
  return boundedLine(text || String(err)) ?? 'unknown error';
}

export class ImapPoller {
  private readonly mailbox: ImapMailbox;
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<unknown> | null = null;
  private client: ImapFlow | null = null;
  private connecting = false;
  private stopping = false;
  private failures = 0;

  constructor(private readonly options: ImapPollerOptions) {
    this.mailbox = parseImapUrl(options.url);
  }

  /** The mailbox's URL without its password, for messages. */
  get shown(): string {
    return this.mailbox.shown;
  }

  /** Polls now, then every pollSeconds (longer after failures) until stop(). */
  start(): void {
    this.options.log.info({ mailbox: this.mailbox.shown, pollSeconds: this.options.pollSeconds, moveTo: this.options.moveTo ?? null }, 'polling the bounce mailbox');
    this.schedule(0);
  }

  /** Stops polling; a poll under way finishes the message in hand, then logs out. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // A connection attempt to an unreachable server could take its whole timeout: cut it.
    if (this.connecting) this.client?.close();
    await this.current?.catch(() => {});
  }

  /** One poll: connect, process what is new, log out. Null when it could not connect or read the mailbox (logged). */
  async pollOnce(): Promise<PollReport | null> {
    const run = this.poll().then(
      (report) => {
        this.failures = 0;
        return report;
      },
      (err: unknown) => {
        this.failures += 1;
        if (!this.stopping) {
          const retry = pollDelaySeconds(this.options.pollSeconds, this.failures);
          this.options.log.error({ mailbox: this.mailbox.shown, failures: this.failures, retryInSeconds: retry }, `bounce mailbox poll failed: ${reason(err)}`);
        }
        return null;
      },
    );
    this.current = run;
    return run;
  }

  private schedule(seconds: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.pollOnce().then(() => this.schedule(pollDelaySeconds(this.options.pollSeconds, this.failures)));
    }, seconds * 1000);
  }

  private async poll(): Promise<PollReport> {
    const { host, port, secure, user, password, mailbox } = this.mailbox;
    const client = new ImapFlow({
      host,
      port,
      secure,
      // imap:// must upgrade before LOGIN; a server that offers no STARTTLS is a failed poll, never a login in clear.
      doSTARTTLS: secure ? undefined : true,
      tls: { ...this.options.tls, rejectUnauthorized: true },
      auth: { user, pass: password },
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: 30_000,
      socketTimeout: 120_000,
    });
    // A socket error also fails the command in flight (and so this poll); without a listener it would crash the process.
    client.on('error', () => {});
    this.client = client;
    this.connecting = true;
    try {
      if (this.stopping) throw new Error('stopping');
      await client.connect();
    } finally {
      this.connecting = false;
    }
    try {
      const lock = await client.getMailboxLock(mailbox).catch((err: unknown) => {
        throw new Error(`cannot open the folder ${JSON.stringify(mailbox)}: ${reason(err)}`);
      });
      try {
        return await this.processMailbox(client);
      } finally {
        lock.release();
      }
    } finally {
      this.client = null;
      await client.logout().catch(() => client.close());
    }
  }

  private async processMailbox(client: ImapFlow): Promise<PollReport> {
    const { log, moveTo, maxMessageBytes } = this.options;
    const report: PollReport = { handled: 0, failed: 0, tooLarge: 0 };
    const opened = client.mailbox || null;
    if (opened?.readOnly) throw new Error(`the folder ${this.mailbox.mailbox} is read-only for this login: it must be allowed to flag and move messages`);
    const permanent = opened?.permanentFlags;
    const keeps = permanent ? permanent.has('\\*') || permanent.has(PROCESSED_KEYWORD) : false;
    if (!keeps && !moveTo) throw new Error(`the mailbox ${this.mailbox.mailbox} keeps no keywords of ours: set inbound.imapMoveTo, a folder processed messages are moved to`);
    if (moveTo) {
      await client.mailboxCreate(moveTo);
      // Processed by an earlier poll whose move did not happen: move them now, without handing them over again.
      const left = keeps ? await client.search({ keyword: PROCESSED_KEYWORD }, { uid: true }) : [];
      if (left && left.length > 0) await this.move(client, left);
    }
    // Without keywords (moveTo set), everything still in the folder is unprocessed.
    const uids = await client.search(keeps ? { unKeyword: PROCESSED_KEYWORD } : { all: true }, { uid: true });
    if (!uids || uids.length === 0) return report;
    const sizes = await client.fetchAll(uids, { uid: true, size: true }, { uid: true });
    const flags = keeps ? ['\\Seen', PROCESSED_KEYWORD] : ['\\Seen'];
    for (const { uid, size } of sizes.sort((a, b) => a.uid - b.uid)) {
      if (this.stopping) break;
      if (size !== undefined && size > maxMessageBytes) {
        log.warn(
          { mailbox: this.mailbox.shown, uid, size },
          `message ${uid} is ${size} bytes, over inbound.maxMessageBytes (${maxMessageBytes}): marked processed without reading it`,
        );
        await this.markProcessed(client, uid, flags);
        report.tooLarge += 1;
        continue;
      }
      const message = await client.fetchOne(String(uid), { uid: true, source: true, internalDate: true }, { uid: true });
      if (!message || message.source === undefined) continue; // expunged by someone else meanwhile
      try {
        const received = message.internalDate instanceof Date && !Number.isNaN(message.internalDate.getTime()) ? message.internalDate : new Date();
        await this.options.handle(message.source, headerRecipients(message.source), received);
      } catch (err) {
        log.warn({ mailbox: this.mailbox.shown, uid }, `message ${uid} could not be processed (${reason(err)}); it stays unprocessed and is retried at the next poll`);
        report.failed += 1;
        continue;
      }
      await this.markProcessed(client, uid, flags);
      report.handled += 1;
    }
    if (report.handled + report.failed + report.tooLarge > 0) log.info({ mailbox: this.mailbox.shown, ...report }, 'bounce mailbox polled');
    return report;
  }

  /**
   * Flags the message, then moves it when imapMoveTo is set. A flag the server refused (imapflow
   * answers false) without a move to make up for it fails the poll: the message would otherwise be
   * read again at every poll without anyone being told.
   */
  private async markProcessed(client: ImapFlow, uid: number, flags: string[]): Promise<void> {
    const flagged = await client.messageFlagsAdd([uid], flags, { uid: true });
    if (this.options.moveTo) await this.move(client, [uid]);
    else if (!flagged) throw new Error(`the server refused to flag message ${uid} ${flags.join(' ')}`);
  }

  /** A failed move is not a failed poll: the messages carry $PressroomProcessed already, and the next poll moves them (where keywords are kept; elsewhere they are read again, which records nothing twice). */
  private async move(client: ImapFlow, uids: number[]): Promise<void> {
    const moveTo = this.options.moveTo!;
    try {
      const moved = await client.messageMove(uids, moveTo, { uid: true });
      if (moved === false) throw new Error('the server refused MOVE');
    } catch (err) {
      this.options.log.warn(
        { mailbox: this.mailbox.shown, moveTo, uids: uids.length },
        `could not move processed messages to ${moveTo} (${reason(err)}); the next poll tries again`,
      );
    }
  }
}
