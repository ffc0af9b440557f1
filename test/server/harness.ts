// A complete service for tests: temp issues/out/data folders, a real SQLite store, a real
// loopback SMTP server behind the real SMTP transport, the fastify app and (optionally) a worker.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { defaultConfig, type Config } from '../../src/config/config.js';
import { createTransport, type Transport } from '../../src/delivery/transport.js';
import { silentLogger, type Logger } from '../../src/logging.js';
import { buildServer, type PressroomServer } from '../../src/server/app.js';
import type { RateLimitOptions } from '../../src/server/rate-limit.js';
import type { TrustProxy } from '../../src/server/trust-proxy.js';
import { openStore } from '../../src/storage/open.js';
import type { Store } from '../../src/storage/store.js';
import { CampaignRunner } from '../../src/worker/runner.js';
import { Worker } from '../../src/worker/worker.js';
import type { WebhookOptions } from '../../src/webhooks/routes.js';
import { projectRoot } from '../support/paths.js';
import { startTestSmtpServer, type TestSmtpOptions, type TestSmtpServer } from '../support/smtp-server.js';
import { waitFor } from '../support/wait.js';

export const SECRET = 'test-secret-0123456789abcdef';

export interface Harness {
  root: string;
  config: Config;
  smtp: TestSmtpServer;
  store: Store;
  transport: Transport;
  runner: CampaignRunner;
  server: PressroomServer;
  newWorker(options?: { workerId?: string; watch?: boolean; now?: () => number }): Worker;
  /** Parsed messages the SMTP server accepted for one address, in order. */
  mailFor(address: string): Promise<ParsedMail[]>;
  /** Waits until `address` has at least `count` messages. */
  waitForMail(address: string, count?: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  adminToken?: string;
  rateLimit?: RateLimitOptions;
  /** Console sign-in attempts per client address. */
  loginRateLimit?: RateLimitOptions;
  smtp?: TestSmtpOptions;
  now?: () => number;
  trustProxy?: TrustProxy;
  configure?: (config: Config) => void;
  /** Default: silent. */
  logger?: Logger;
  /** What the server and workers get instead of the store itself (e.g. a wrapper that counts calls). */
  wrapStore?: (store: Store) => Store;
  /** What the provider webhooks reach out with (the SES test answers from a local server). */
  webhooks?: WebhookOptions;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'pressroom-server-'));
  const config = defaultConfig(root);
  await mkdir(config.issuesDir, { recursive: true });
  config.site.url = 'http://news.test/';
  config.site.title = 'Test Weekly';
  config.secret = SECRET;
  config.email.fromAddress = 'news@news.test';
  config.email.postalAddress = '1 Test Street, Testville';
  config.smtp.maxConnections = 2;
  config.email.templatesDir = path.join(projectRoot, 'emails');
  if (options.adminToken) config.adminToken = options.adminToken;
  const smtp = await startTestSmtpServer({ keepMessages: true, ...options.smtp });
  config.smtpUrl = smtp.url;
  options.configure?.(config);

  const logger = options.logger ?? silentLogger();
  const opened = await openStore(config);
  const store = options.wrapStore ? options.wrapStore(opened) : opened;
  const transport = createTransport(config, logger);
  const runner = new CampaignRunner({ store, transport, config, logger, secret: SECRET, workerId: 'test-worker' });
  const server = await buildServer({
    config,
    store,
    transport,
    logger,
    secret: SECRET,
    runner,
    rateLimit: options.rateLimit,
    loginRateLimit: options.loginRateLimit,
    now: options.now,
    trustProxy: options.trustProxy,
    webhooks: options.webhooks,
  });
  await server.app.ready();
  const workers: Worker[] = [];

  const mailFor = async (address: string) => {
    const raws = smtp.messages.filter((m) => m.to.includes(address.toLowerCase()));
    return Promise.all(raws.map((m) => simpleParser(m.raw)));
  };

  return {
    root,
    config,
    smtp,
    store,
    transport,
    runner,
    server,
    newWorker({ workerId, watch = false, now } = {}) {
      const own = workerId ? new CampaignRunner({ store, transport, config, logger, secret: SECRET, workerId }) : runner;
      const worker = new Worker({ config, store, logger, runner: own, watch, watchDelayMs: 100, now });
      workers.push(worker);
      return worker;
    },
    mailFor,
    async waitForMail(address, count = 1, timeoutMs = 20_000) {
      let mails: ParsedMail[] = [];
      await waitFor(
        async () => {
          await server.context.mailer.drain();
          mails = await mailFor(address);
          return mails.length >= count;
        },
        { what: `${count} message(s) for ${address}`, timeout: timeoutMs, describe: () => `got ${mails.length}` },
      );
      return mails;
    },
    async close() {
      for (const w of workers) await w.stop();
      await runner.stop();
      await server.close();
      await transport.close();
      await store.close();
      await smtp.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export interface IssueSpec {
  slug: string;
  title?: string;
  /** RFC 3339 */
  date: string;
  /** front matter send_at (RFC 3339) */
  sendAt?: string;
  tags?: string[];
  email?: boolean;
  draft?: boolean;
  body?: string;
}

export async function writeIssue(config: Config, spec: IssueSpec): Promise<string> {
  const lines = ['---', `title: ${JSON.stringify(spec.title ?? `Issue ${spec.slug}`)}`, `slug: ${spec.slug}`, `date: ${spec.date}`, `tags: ${JSON.stringify(spec.tags ?? [])}`];
  if (spec.sendAt) lines.push(`send_at: ${spec.sendAt}`);
  if (spec.email === false) lines.push('email: false');
  if (spec.draft) lines.push('draft: true');
  lines.push('---', '', spec.body ?? `Body of ${spec.slug}.`, '');
  const file = path.join(config.issuesDir, `${spec.slug}.md`);
  await writeFile(file, lines.join('\n'));
  return file;
}

/** RFC 3339 in UTC, second precision, `offsetMs` from now. */
export function isoFromNow(offsetMs: number): string {
  return new Date(Math.floor((Date.now() + offsetMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * A date for an issue that counts as written after the worker's first start: dates have whole
 * seconds, the watermark (at or before now) has milliseconds, so wait until the next whole second
 * has begun: that second is later than the watermark and not in the future.
 */
export async function dateAfterStart(): Promise<string> {
  const nextSecond = (Math.floor(Date.now() / 1000) + 1) * 1000;
  while (Date.now() < nextSecond) await new Promise((r) => setTimeout(r, nextSecond - Date.now()));
  return isoFromNow(0);
}

/** The first link in a message's text or HTML that starts with `prefix`. */
export function linkIn(mail: ParsedMail, prefix: string): string {
  const haystack = `${mail.text ?? ''}\n${typeof mail.html === 'string' ? mail.html : ''}`;
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}[^\\s"'<>)\\]]+`).exec(haystack);
  if (!m) throw new Error(`no link starting with ${prefix} in message "${mail.subject}"`);
  return m[0].replace(/&amp;/g, '&');
}
