// Wires the service together for `pressroom start` (HTTP + worker), `serve` and `worker`:
// store, transport, one campaign runner, the fastify app and the scheduled worker, and the
// ordered shutdown: stop ticking and claiming, let in-flight sends finish (or give their claims
// back), stop HTTP, the inbound SMTP receiver and the bounce-mailbox poller, let the system
// emails in flight finish, close transport and store. `start` runs the inbound receiver too when
// inbound.port is set, and the bounce-mailbox poller when inbound.imapUrl is set.
import { createServer, type AddressInfo, type Server } from 'node:net';
import { buildSiteInThread } from '../build/build-thread.js';
import { ConfigError, withListeningPort, type Config } from '../config/config.js';
import { resolveSecret } from '../config/secret.js';
import { formatProblem } from '../content/issue.js';
import { loadIssues } from '../content/load.js';
import { createTransport, transportIdentity } from '../delivery/transport.js';
import { acquireWorkerId, defaultWorkerBase } from '../delivery/worker-id.js';
import { bounceMailboxSettings } from '../inbound/bounce-mailbox.js';
import type { ImapPoller } from '../inbound/imap-poller.js';
import { startBounceReaders, type BounceReaders } from '../inbound/readers.js';
import type { InboundReceiver } from '../inbound/receiver.js';
import { receiverSettings } from '../inbound/settings.js';
import type { Logger } from '../logging.js';
import { openStore } from '../storage/open.js';
import type { Store } from '../storage/store.js';
import { CampaignRunner } from '../worker/runner.js';
import { Worker } from '../worker/worker.js';
import { buildServer, type PressroomServer } from './app.js';
import { startHeartbeat } from './heartbeat.js';
import { SystemMailer } from './mailer.js';
import { eventDispatcher } from '../webhooks/outbound/dispatcher.js';
import type { RateLimitOptions } from './rate-limit.js';

export type ServiceMode = 'start' | 'serve' | 'worker';

export interface ServiceOptions {
  config: Config;
  mode: ServiceMode;
  logger: Logger;
  watch?: boolean;
  rateLimit?: RateLimitOptions;
}

export interface RunningService {
  /** Where the HTTP server listens (serve/start only). */
  url: string | null;
  /** The configuration the service runs with: with port 0, the port it got (and a site URL derived from it). */
  config: Config;
  store: Store;
  server: PressroomServer | null;
  worker: Worker | null;
  /** The inbound SMTP receiver (start with inbound.port set only). */
  inbound: InboundReceiver | null;
  /** The bounce-mailbox poller (start with inbound.imapUrl set only). */
  bounceMailbox: ImapPoller | null;
  runner: CampaignRunner;
  /** The first worker tick (start/worker only). */
  firstTick: Promise<unknown> | null;
  /** Idempotent graceful shutdown. */
  stop(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { mode, logger } = options;
  if (options.config.production && !options.config.secret) {
    throw new ConfigError('secret: required when NODE_ENV=production (set PRESSROOM_SECRET or "secret" in the config file, e.g. `openssl rand -hex 32`)');
  }
  transportIdentity(options.config); // production without an explicit transport: refuse before opening anything
  const secret = resolveSecret(options.config);
  // Checked before anything opens: without a bounce address the receiver could accept nothing.
  const inboundSettings = mode === 'start' && options.config.inbound.port !== undefined ? receiverSettings(options.config, secret) : null;
  const mailboxSettings = mode === 'start' ? bounceMailboxSettings(options.config, secret) : null;

  const store = await openStore(options.config);
  const transport = createTransport(options.config, logger);
  const identity = acquireWorkerId(options.config.dataDir, defaultWorkerBase(mode === 'serve' ? 'serve' : 'worker', options.config.workerId));
  // Port 0 (any free port): take one now, so that everything is built with the port it will serve
  // on (links, CSP) and the configuration never changes afterwards. Held until the server listens.
  let reserved: Server | null = null;
  try {
    if (mode !== 'worker' && options.config.port === 0) reserved = await reservePort(options.config.host);
  } catch (err) {
    await transport.close();
    await store.close();
    identity.release();
    throw err;
  }
  const config = reserved ? withListeningPort(options.config, (reserved.address() as AddressInfo).port) : options.config;
  const runner = new CampaignRunner({ store, transport, config, logger, secret, workerId: identity.workerId });
  // Every mode drains the confirm/welcome queue, so mail queued by a serve process that died is
  // still sent when only workers run; leases keep two processes from sending one email twice.
  const mailer = new SystemMailer({ config, store, transport, secret, logger, workerId: identity.workerId });
  // Likewise the outbound event queue (events.url), which every process's changes fill.
  const events = eventDispatcher(config, store, logger, identity.workerId);
  // The console's health page lists the processes by these rows (src/server/heartbeat.ts).
  const heartbeat = startHeartbeat(store, identity.workerId, mode, logger);

  let server: PressroomServer | null = null;
  let worker: Worker | null = null;
  let readers: BounceReaders | null = null;
  let url: string | null = null;
  let stopping: Promise<void> | null = null;

  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down: no new claims; waiting for messages in flight');
      await worker?.stop();
      await runner.stop();
      await server?.close();
      await readers?.close();
      await mailer.stop();
      await events.stop();
      await heartbeat.stop();
      await transport.close();
      await store.close();
      identity.release();
      logger.info('stopped');
    })());

  try {
    if (mode !== 'worker') {
      server = await buildServer({ config, store, transport, logger, secret, runner, mailer, trustProxy: config.trustProxy, rateLimit: options.rateLimit });
      const { host } = config;
      await new Promise((resolve) => (reserved ? reserved.close(resolve) : resolve(undefined)));
      await server.app.listen({ port: config.port, host });
      const { port } = server.app.server.address() as AddressInfo;
      url = `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host}:${port}/`;
      logger.info({ url, site: config.site.url, transport: transport.description }, 'HTTP server listening');
    }
    if (inboundSettings || mailboxSettings) {
      readers = await startBounceReaders({ receiver: inboundSettings, mailbox: mailboxSettings }, { config, recorder: store, log: logger });
    }
    mailer.start();
    events.start();
    let firstTick: Promise<unknown> | null = null;
    if (mode !== 'serve') {
      worker = new Worker({ config, store, logger, runner, watch: options.watch });
      firstTick = worker.start();
    } else {
      await buildOnce(config, logger);
    }
    return { url, config, store, server, worker, inbound: readers?.receiver ?? null, bounceMailbox: readers?.mailbox ?? null, runner, firstTick, stop };
  } catch (err) {
    reserved?.close();
    await stop().catch(() => {});
    throw err;
  }
}

/** `serve` alone has no worker to build the site, so it builds once at start. */
async function buildOnce(config: Config, logger: Logger): Promise<void> {
  try {
    const { issues, problems } = await loadIssues(config, { keepThisThreadFree: true });
    for (const p of problems) logger.warn(formatProblem(p));
    const { files, skipped } = await buildSiteInThread(config, issues);
    for (const line of skipped) logger.warn(line);
    logger.info({ files: files.length, out: config.outDir }, 'site built');
  } catch (err) {
    logger.error({ err }, 'could not build the site; serving what is in the output folder');
  }
}

/** A free port on `host`, held by a bare listener until the caller closes it. */
function reservePort(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const holder = createServer();
    holder.once('error', reject);
    holder.listen({ port: 0, host, exclusive: true }, () => resolve(holder));
  });
}
