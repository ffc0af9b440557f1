// `pressroom inbound`: the SMTP receiver for the bounce domain alone (src/inbound/receiver.ts), on
// inbound.port (2525 when unset) and inbound.host, and the bounce-mailbox poller when
// inbound.imapUrl is set (src/inbound/bounce-mailbox.ts; then the receiver runs only when
// inbound.port is set too). Runs until SIGTERM or SIGINT, then stops taking connections, lets
// messages in progress finish, stops polling and closes the store.
import type { Command } from 'commander';
import { configFrom, untilSignal, type CommonOptions } from './common.js';

interface InboundCliOptions extends CommonOptions {
  dataDir?: string;
}

export function registerInboundCommands(program: Command): void {
  program
    .command('inbound')
    .description("receive bounces (DSN) and complaints (ARF) for email.bounceAddress's domain over SMTP (on inbound.port, default 2525) and record them")
    .option('--config <file>', 'configuration file (default ./pressroom.config.json or PRESSROOM_CONFIG)')
    .option('--data-dir <dir>', 'data folder: SQLite file, secret (default ./data or PRESSROOM_DATA_DIR)')
    .action((options: InboundCliOptions) => run(options));
}

async function run(options: InboundCliOptions): Promise<void> {
  const config = await configFrom(options);
  const [{ existingSecret }, { receiverSettings }, { bounceMailboxSettings }] = await Promise.all([
    import('../config/secret.js'),
    import('../inbound/settings.js'),
    import('../inbound/bounce-mailbox.js'),
  ]);
  const secret = existingSecret(config);
  const mailboxSettings = bounceMailboxSettings(config, secret);
  // With only a mailbox configured, no SMTP receiver is wanted.
  const settings = mailboxSettings === null || config.inbound.port !== undefined ? receiverSettings(config, secret) : null;
  const [{ createLogger }, { openStore }, { startBounceReaders }] = await Promise.all([import('../logging.js'), import('../storage/open.js'), import('../inbound/readers.js')]);
  const log = createLogger({ level: config.logLevel });
  const store = await openStore(config);
  const readers = await startBounceReaders({ receiver: settings, mailbox: mailboxSettings }, { config, recorder: store, log }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  if (settings && readers.receiver)
    console.log(`Pressroom inbound SMTP receiver on ${settings.host}:${readers.receiver.port}, for @${settings.bounceAddress.slice(settings.bounceAddress.lastIndexOf('@') + 1)}`);
  if (readers.mailbox) console.log(`Polling the bounce mailbox ${readers.mailbox.shown} every ${config.inbound.imapPollSeconds} s`);

  await untilSignal(
    log,
    async () => {
      await readers.close();
      await store.close();
      log.info('stopped');
    },
    'signal received: stopping the inbound receiver',
  );
}
