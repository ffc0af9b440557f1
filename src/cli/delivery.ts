// `pressroom send`, `pressroom status` and `pressroom retry`: the operator's side of delivery.
// `status` needs the store only: what sending needs (nodemailer, the logger) is imported by send and retry.
import type { Command } from 'commander';
import type { RenderProcess } from '../email/render-isolated.js';
import { openStore } from '../storage/open.js';
import { plural, printStatus, printStatusJson } from './campaign-report.js';
import { configFrom, issueFor, UsageError } from './common.js';
import { addNewcomers, checkSendable, dryRun, runSend, sendTest } from './send-run.js';

interface SendOptions {
  config?: string;
  issues?: string;
  dataDir?: string;
  test?: string;
  dryRun?: boolean;
  enqueue?: boolean;
  newcomers?: boolean;
  production?: boolean;
}

const PRODUCTION_HELP = 'refuse to send without an explicit transport (SMTP_URL=smtp://... or SMTP_URL=outbox:), as NODE_ENV=production does';

export function registerDeliveryCommands(program: Command): void {
  program
    .command('send')
    .argument('<slug>', 'the issue to send')
    .description('create the campaign for an issue if needed and send it to its recipients; exit 1 if some failed')
    .option('--test <address>', 'send one copy to this address only, through the configured transport; the ledger is untouched')
    .option('--dry-run', 'print how many subscribers would receive it; creates nothing')
    .option('--enqueue', 'create the campaign and return, leaving the sending to running workers')
    .option('--newcomers', 'for a campaign that exists: also mail the subscribers who joined after its snapshot, exactly once (the ledger knows who has it)')
    .option('--issues <dir>', 'issues folder (default ./issues or PRESSROOM_ISSUES_DIR)')
    .option('--data-dir <dir>', 'data folder (default ./data or PRESSROOM_DATA_DIR)')
    .option('--config <file>', 'configuration file (default ./pressroom.config.json or PRESSROOM_CONFIG)')
    .option('--production', PRODUCTION_HELP)
    .action(
      oneLineErrors(async (slug: string, options: SendOptions) => {
        const modes = [options.test !== undefined, options.dryRun, options.enqueue, options.newcomers].filter(Boolean).length;
        if (modes > 1) throw new UsageError('send: --test, --dry-run, --enqueue and --newcomers exclude each other');
        const sending = options.test === undefined && !options.dryRun && !options.enqueue;
        // First, before anything allocates: the young generation must not have grown yet.
        if (sending) (await import('../delivery/young-generation.js')).boundSendingHeap();
        // Loading MJML while this process loads the issues and writes the ledger (stopped unused if an earlier pass rendered it).
        const renderer = sending ? (await import('../email/render-isolated.js')).startRenderProcess() : undefined;
        try {
          await sendCommand(slug, options, sending, renderer);
        } finally {
          renderer?.dispose();
        }
      }),
    );

  program
    .command('status')
    .argument('[slug]', 'one campaign (default: all)')
    .description('per campaign: state (sending, paused and why, cancelled, finished), queued, sending, sent, retrying, failed, bounced, bounce and complaint rates, and per worker')
    .option('--json', 'the same figures as JSON, as the API gives them (GET /api/campaigns/:slug): one object for a slug, else an array')
    .option('--data-dir <dir>', 'data folder (default ./data or PRESSROOM_DATA_DIR)')
    .option('--config <file>', 'configuration file (default ./pressroom.config.json or PRESSROOM_CONFIG)')
    .action(async (slug: string | undefined, options: { config?: string; dataDir?: string; json?: boolean }) => {
      const config = await configFrom(options);
      const store = await openStore(config);
      try {
        if (options.json) await printStatusJson(store, slug);
        else await printStatus(store, slug);
      } finally {
        await store.close();
      }
    });

  program
    .command('retry')
    .argument('<slug>', 'the campaign whose temporary failures to send again')
    .description('re-queue the rows that failed temporarily (retries exhausted) and send them')
    .option('--unknown', 'instead: re-queue the messages whose outcome is unknown (lost after the final dot; they may have arrived, so this can duplicate them)')
    .option('--no-send', 're-queue only; leave the sending to `pressroom send` or the workers')
    .option('--issues <dir>', 'issues folder (default ./issues or PRESSROOM_ISSUES_DIR)')
    .option('--data-dir <dir>', 'data folder (default ./data or PRESSROOM_DATA_DIR)')
    .option('--config <file>', 'configuration file (default ./pressroom.config.json or PRESSROOM_CONFIG)')
    .option('--production', PRODUCTION_HELP)
    .action(
      oneLineErrors(async (slug: string, options: { config?: string; issues?: string; dataDir?: string; send: boolean; unknown?: boolean; production?: boolean }) => {
        if (options.send) (await import('../delivery/young-generation.js')).boundSendingHeap();
        const config = await configFrom(options);
        const store = await openStore(config, { sending: options.send });
        try {
          const campaign = await store.getCampaign(slug);
          if (!campaign) throw new UsageError(`retry: no campaign "${slug}" (see pressroom status)`);
          const n = options.unknown ? await store.requeueUnknownOutcomes(campaign.id) : await store.requeueTemporaryFailures(campaign.id);
          console.log(`re-queued ${options.unknown ? `${plural(n, 'message')} of unknown outcome` : plural(n, 'temporary failure')} of ${slug}`);
          if (n === 0 || !options.send) return;
          await runSend(config, store, await issueFor(config, slug));
        } finally {
          await store.close();
        }
      }),
    );
}

/** Delivery problems are one line and exit 1 (not a stack trace); usage errors still exit 2. */
function oneLineErrors<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (err) {
      const { DeliveryError } = await import('../delivery/campaign.js');
      if (!(err instanceof DeliveryError)) throw err;
      console.error(`pressroom: ${err.message}`);
      process.exitCode = 1;
    }
  };
}

/** `pressroom send SLUG` once the heap is bounded and the render process started. */
async function sendCommand(slug: string, options: SendOptions, sending: boolean, renderer?: RenderProcess): Promise<void> {
  const config = await configFrom(options);
  const issue = await issueFor(config, slug);
  if (options.test !== undefined) return sendTest(config, issue, options.test);
  const store = await openStore(config, { sending });
  try {
    if (options.dryRun) return await dryRun(store, issue);
    await checkSendable(issue);
    if (options.newcomers) {
      if (await addNewcomers(store, issue.slug)) await runSend(config, store, issue, renderer?.render);
      return;
    }
    if (options.enqueue) {
      const [{ enqueueCampaign }, { transportIdentity }] = await Promise.all([import('../delivery/campaign.js'), import('../delivery/transport.js')]);
      // An explicit SMTP_URL is recorded; without one the first worker that sends it decides.
      const { campaign, created } = await enqueueCampaign(store, issue, config.smtpUrl ? transportIdentity(config) : null);
      console.log(
        created
          ? `created campaign ${campaign.slug} for ${plural(campaign.recipients, 'recipient')}; workers will send it`
          : `campaign ${campaign.slug} already exists (${plural(campaign.recipients, 'recipient')}); nothing changed`,
      );
      return;
    }
    await runSend(config, store, issue, renderer?.render);
  } finally {
    await store.close();
  }
}
