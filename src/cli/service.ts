// `pressroom start` (HTTP + worker in one process), `pressroom serve` and `pressroom worker`.
// Runs until SIGTERM or SIGINT, then shuts down gracefully; a second signal exits at once.
import type { Command } from 'commander';
import type { ConfigError, ConfigOverrides } from '../config/config.js';
import type { ServiceMode } from '../server/service.js';
import { configFrom, untilSignal, type CommonOptions } from './common.js';

/** --port, --host, --trust-proxy and --production are read by the configuration (ConfigOverrides). */
interface ServiceCliOptions extends CommonOptions, ConfigOverrides {
  watch?: boolean;
}

export function registerServiceCommands(program: Command): void {
  const define = (name: ServiceMode, description: string, http: boolean, worker: boolean) => {
    const cmd = program.command(name).description(description);
    cmd.option('--config <file>', 'configuration file (default ./pressroom.config.json or PRESSROOM_CONFIG)');
    cmd.option('--issues <dir>', 'issues folder (default ./issues or PRESSROOM_ISSUES_DIR)');
    cmd.option('--out <dir>', 'output folder (default ./public or PRESSROOM_OUT_DIR)');
    cmd.option('--data-dir <dir>', 'data folder: SQLite file, outbox, secret (default ./data or PRESSROOM_DATA_DIR)');
    cmd.option('--site-url <url>', 'absolute URL the site is served from (or PRESSROOM_SITE_URL)');
    if (http) {
      cmd.option('--port <n>', 'port to listen on (default 8080 or PRESSROOM_PORT; 0 = any free port)');
      cmd.option('--host <addr>', 'address to listen on (default 127.0.0.1 or PRESSROOM_HOST; 0.0.0.0 for all)');
      cmd.option(
        '--trust-proxy [hops|proxies]',
        'read client addresses from X-Forwarded-For through your own proxies: a hop count (bare flag = 1) or their addresses/CIDRs, comma-separated (or PRESSROOM_TRUST_PROXY)',
      );
    }
    if (worker) cmd.option('--no-watch', 'do not watch the issues folder (pick up changes on the schedule only)');
    cmd.option('--production', 'insist on production settings, as NODE_ENV=production does: a secret, and an explicit transport (SMTP_URL=smtp://... or SMTP_URL=outbox:)');
    cmd.action((options: ServiceCliOptions) => run(name, options));
  };
  define('start', 'serve feeds, archive, sign-up and the operator API, and run the sending worker, in one process', true, true);
  define('serve', 'serve feeds, archive, sign-up and the operator API only (no scheduled sending)', true, false);
  define('worker', 'run the scheduled worker only: rebuild the site and send new issues', false, true);
}

/** A port we cannot listen on is a configuration error: one line, exit 2 (not a stack trace). */
async function listenProblem(err: unknown, host: string, port: number): Promise<ConfigError | null> {
  const { ConfigError } = await import('../config/config.js');
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (code === 'EADDRINUSE') return new ConfigError(`port: ${where} is already in use (stop the other server, or choose another port with --port or PRESSROOM_PORT)`);
  if (code === 'EACCES') return new ConfigError(`port: not allowed to listen on ${where} (ports below 1024 need privileges; choose another with --port or PRESSROOM_PORT)`);
  if (code === 'EADDRNOTAVAIL') return new ConfigError(`host: ${host} is not an address of this machine (set --host or PRESSROOM_HOST)`);
  return null;
}

async function run(mode: ServiceMode, options: ServiceCliOptions): Promise<void> {
  // Before the server's modules load: loading them is what grows the young generation at start.
  (await import('../delivery/young-generation.js')).boundYoungGeneration();
  const loaded = await configFrom(options);
  const [{ createLogger }, { startService }] = await Promise.all([import('../logging.js'), import('../server/service.js')]);
  const logger = createLogger({ level: loaded.logLevel });
  const service = await startService({ config: loaded, mode, logger, watch: options.watch }).catch(async (err: unknown) => {
    throw (await listenProblem(err, loaded.host, loaded.port)) ?? err;
  });
  const { config } = service;
  if (service.url) {
    // Out of the box the site URL is http://localhost:<port>/: show that one, it is what links use.
    const site = new URL(config.site.url);
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(site.hostname) && site.port === new URL(service.url).port;
    console.log(`Pressroom is running at ${local ? config.site.url : service.url}`);
    if (!local) console.log(`Public site URL: ${config.site.url}`);
  }
  if (service.inbound) console.log(`Inbound SMTP receiver on ${service.inbound.host}:${service.inbound.port} (bounces and complaints for ${config.email.bounceAddress})`);
  if (service.bounceMailbox) console.log(`Polling the bounce mailbox ${service.bounceMailbox.shown} every ${config.inbound.imapPollSeconds} s`);
  if (service.worker) console.log(`Worker schedule: ${config.schedule} (issues in ${config.issuesDir})`);

  await untilSignal(logger, () => service.stop());
}
