// `pressroom send`, `pressroom status` and `pressroom retry`: the operator's side of delivery.
// `status` needs the store only: what sending needs (nodemailer, the logger) is imported by send and retry.
import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import { issueTopics, type Issue } from '../content/issue.js';
import { invalidAddressMessage, parseAddress } from '../domain/address.js';
import { campaignSummary } from '../domain/campaign-state.js';
import { percent } from '../domain/feedback.js';
import { notEmailableText, whyNotEmailable } from '../domain/publication.js';
import { recipientFilter } from '../domain/recipients.js';
import type { Progress, SendOutcome } from '../delivery/campaign.js';
import { testRecipient } from '../email/message.js';
import { storedCampaignReport } from '../storage/campaign-report.js';
import { openStore } from '../storage/open.js';
import type { Campaign, CampaignStats, Store } from '../storage/store.js';
import { configFrom, issueFor, UsageError } from './common.js';

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
        if (sending) (await import('../delivery/young-generation.js')).boundYoungGeneration();
        const config = await configFrom(options);
        const issue = await issueFor(config, slug);
        if (options.test !== undefined) return sendTest(config, issue, options.test);
        const store = await openStore(config, { sending });
        try {
          if (options.dryRun) return await dryRun(store, issue);
          await checkSendable(issue);
          if (options.newcomers) {
            if (await addNewcomers(store, issue.slug)) await runSend(config, store, issue);
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
          await runSend(config, store, issue);
        } finally {
          await store.close();
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
        if (options.send) (await import('../delivery/young-generation.js')).boundYoungGeneration();
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

async function checkSendable(issue: Issue): Promise<void> {
  const reason = whyNotEmailable(issue, Date.now());
  if (!reason) return;
  const { DeliveryError } = await import('../delivery/campaign.js');
  throw new DeliveryError(`${issue.sourcePath}: "${issue.slug}" ${notEmailableText(reason, issue)}`);
}

/** `send --newcomers`: queues who joined after the campaign's snapshot; true when anyone was added (then they are sent). */
async function addNewcomers(store: Store, slug: string): Promise<boolean> {
  const campaign = await store.getCampaign(slug);
  if (!campaign) throw new UsageError(`send --newcomers: no campaign "${slug}" yet; pressroom send ${slug} creates it and mails everyone`);
  if (campaign.cancelledAt) throw new UsageError(`send --newcomers: campaign ${slug} is cancelled; it mails nobody else`);
  const added = await store.addNewcomers(campaign.id);
  if (added === 0) {
    console.log(`campaign ${slug}: no newcomers (every matching active subscriber already has a row in its ledger); nothing sent`);
    return false;
  }
  console.log(`campaign ${slug}: added ${plural(added, 'newcomer')} (${plural(campaign.recipients + added, 'recipient')} in all); sending to them`);
  return true;
}

async function sendTest(config: Config, issue: Issue, address: string): Promise<void> {
  const parsed = parseAddress(address);
  // Worded as the sign-up form, `subscribers add` and the CSV import word it; still a usage error (exit 2).
  if (!parsed.ok) throw new UsageError(invalidAddressMessage(address, parsed.problem));
  const [{ createLogger }, { resolveSecret }, { createTransport }, { DeliveryError }] = await Promise.all([
    import('../logging.js'),
    import('../config/secret.js'),
    import('../delivery/transport.js'),
    import('../delivery/campaign.js'),
  ]);
  const logger = createLogger({ level: config.logLevel });
  // Loaded here only: `send` itself renders in a child process and never loads MJML (render-isolated.ts).
  const { prepareIssueEmail } = await import('../email/issue-email.js');
  const prepared = await prepareIssueEmail(config, issue, resolveSecret(config));
  const transport = createTransport(config, logger);
  try {
    const r = await transport.send(prepared.messageFor(testRecipient(address)));
    console.log(`sent a test of ${issue.slug} to ${address} via ${transport.description}: ${r.response}`);
  } catch (err) {
    throw new DeliveryError(`test of ${issue.slug} to ${address} failed: ${(err as Error).message}`);
  } finally {
    await transport.close();
  }
}

/** Counts the would-be recipients with the store's own rule (src/domain/recipients.ts), page by page. */
async function dryRun(store: Store, issue: Issue): Promise<void> {
  await checkSendable(issue);
  const existing = await store.getCampaign(issue.slug);
  if (existing) {
    const s = await store.campaignStats(existing.id);
    console.log(`campaign ${issue.slug} exists: ${plural(existing.recipients, 'recipient')}, ${s.sent} sent, ${s.queued + s.retry + s.sending} still to send`);
    return;
  }
  const receives = recipientFilter(issueTopics(issue));
  let count = 0;
  let afterId = 0;
  for (;;) {
    const page = await store.listSubscribers({ status: 'active', afterId, limit: 5000 });
    if (page.length === 0) break;
    for (const s of page) if (receives(s)) count++;
    afterId = page[page.length - 1]!.id;
  }
  console.log(`${issue.slug} would go to ${plural(count, 'subscriber')} (dry run: no campaign created)`);
}

async function runSend(config: Config, store: Store, issue: Issue): Promise<void> {
  await checkSendable(issue);
  const [{ createLogger }, { resolveSecret }, { sendCampaign }, { createTransport }, { acquireWorkerId, defaultWorkerBase }] = await Promise.all([
    import('../logging.js'),
    import('../config/secret.js'),
    import('../delivery/campaign.js'),
    import('../delivery/transport.js'),
    import('../delivery/worker-id.js'),
  ]);
  const logger = createLogger({ level: config.logLevel });
  const existing = await store.getCampaign(issue.slug);
  if (existing?.finishedAt) {
    printFinished(issue.slug, await store.campaignStats(existing.id));
    return;
  }
  const transport = createTransport(config, logger); // first: a configuration error leaves nothing behind
  const identity = acquireWorkerId(config.dataDir, defaultWorkerBase('send', config.workerId));
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130); // second Ctrl-C: leave now, leases cover the rest
    process.stderr.write('\nstopping: finishing the messages in flight (Ctrl-C again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const bar = progressPrinter();
  let outcome: SendOutcome;
  try {
    outcome = await sendCampaign(
      { store, transport, config, logger, workerId: identity.workerId, secret: resolveSecret(config), signal: abort.signal, onProgress: bar.update },
      issue,
    );
  } finally {
    bar.end();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await transport.close();
    identity.release();
  }
  if (outcome.alreadyFinished) {
    printFinished(issue.slug, outcome); // another process finished it in the meantime
    return;
  }
  if (outcome.braked?.kind === 'paused') {
    // Not done, and not an error of this run: exit 1 like a send stopped early; resume continues it.
    const why = outcome.braked.reason ? `paused itself: ${outcome.braked.reason}` : 'paused';
    console.log(
      `${issue.slug}: ${why}; ${outcome.sentNow} sent now, ${outcome.sent}/${outcome.recipients} sent in all; ` +
        `pressroom resume ${issue.slug} continues it (pressroom status ${issue.slug} for the rates)`,
    );
    process.exitCode = 1;
    return;
  }
  if (outcome.braked?.kind === 'cancelled') {
    console.log(`${issue.slug}: cancelled; ${outcome.sentNow} sent now, ${outcome.sent}/${outcome.recipients} sent in all, ${outcome.cancelled} never sent`);
    return;
  }
  const state = outcome.finished ? 'finished' : outcome.aborted ? 'stopped (run send again to resume)' : 'not finished';
  console.log(
    `${issue.slug}: ${state}; ${outcome.sentNow} sent now, ${outcome.sent}/${outcome.recipients} sent in all, ` +
      `${outcome.failed} failed (${outcome.bounced} bounced), ${outcome.retry} waiting to retry` +
      (outcome.unknown > 0 ? `, ${outcome.unknown} outcome unknown` : ''),
  );
  if (outcome.aborted) process.exitCode = 1; // stopped before the end: not done
  if (outcome.failed > 0) {
    console.log(`some deliveries failed: see pressroom status ${issue.slug}; pressroom retry ${issue.slug} re-sends the temporary ones`);
    process.exitCode = 1;
  }
  if (outcome.unknown > 0) {
    console.log(
      `${plural(outcome.unknown, 'message')} lost after the final dot may or may not have arrived, so they are not retried: ` +
        `pressroom retry ${issue.slug} --unknown re-sends them (possibly a second copy)`,
    );
    process.exitCode = 1;
  }
}

/**
 * Re-running `send` on a finished campaign is not an error: nothing is sent, and the line says
 * what the campaign ended with (its failures were reported, with exit 1, by the run that had them).
 */
function printFinished(slug: string, s: CampaignStats): void {
  const unknown = s.unknown > 0 ? `, ${s.unknown} outcome unknown` : '';
  const cancelled = s.cancelled > 0 ? `, ${s.cancelled} cancelled` : '';
  console.log(
    `campaign ${slug} finished at ${s.finishedAt}: ${s.sent} sent, ${s.failed} failed (${s.bounced} bounced)${unknown}${cancelled}; ` +
      `nothing left to send${s.failed + s.unknown > 0 ? ` (details: pressroom status ${slug})` : ''}`,
  );
}

/** A progress bar (count, rate, ETA) on a terminal; a plain line every few seconds otherwise. */
function progressPrinter(): { update: (p: Progress) => void; end: () => void } {
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  let drawn = false;
  return {
    update(p: Progress) {
      const done = p.sent + p.failed;
      const pct = p.total > 0 ? Math.floor((done / p.total) * 100) : 100;
      const rate = `${p.rate.toFixed(p.rate < 10 ? 1 : 0)} msg/s`;
      const eta =
        p.waitingUntil !== null && Number.isFinite(p.waitingUntil)
          ? `waiting for ${p.retrying} retries until ${new Date(p.waitingUntil).toISOString().slice(11, 19)}Z`
          : p.etaSeconds === null
            ? 'ETA -'
            : `ETA ${duration(p.etaSeconds)}`;
      const text = `${p.slug}: ${done}/${p.total} (${pct}%) sent ${p.sent}, failed ${p.failed}, retrying ${p.retrying}, ${rate}, ${eta}`;
      if (tty) {
        const width = 24;
        const filled = Math.round((pct / 100) * width);
        process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
        drawn = true;
      } else if (Date.now() - lastLine >= 2000 || done === p.total) {
        lastLine = Date.now();
        process.stderr.write(`${text}\n`);
      }
    },
    end() {
      if (drawn) process.stderr.write('\n');
    },
  };
}

/** The campaign named, or every campaign (newest first). */
async function campaignsFor(store: Store, slug: string | undefined): Promise<Campaign[]> {
  if (!slug) return store.listCampaigns();
  const c = await store.getCampaign(slug);
  if (!c) throw new UsageError(`status: no campaign "${slug}" (campaigns are created by pressroom send)`);
  return [c];
}

async function printStatusJson(store: Store, slug: string | undefined): Promise<void> {
  const reports = [];
  for (const c of await campaignsFor(store, slug)) reports.push(await storedCampaignReport(store, c));
  console.log(JSON.stringify(slug ? reports[0] : reports, null, 2));
}

async function printStatus(store: Store, slug: string | undefined): Promise<void> {
  const campaigns = await campaignsFor(store, slug);
  if (campaigns.length === 0) {
    console.log('no campaigns yet');
    return;
  }
  for (const c of campaigns) {
    const s = await store.campaignStats(c.id);
    console.log(
      `${c.slug}: recipients ${c.recipients}, queued ${s.queued}, sending ${s.sending}, sent ${s.sent}, retrying ${s.retry}, ` +
        `failed ${s.failed}, bounced ${s.bounced}, unknown ${s.unknown}, started ${s.startedAt ?? '-'}, finished ${s.finishedAt ?? '-'}`,
    );
    console.log(`  ${stateLine(c, s)}`);
    console.log(`  transport ${c.transport ?? '- (the first sender records its own)'}`);
    if (s.unknown > 0) {
      console.log(`  ${plural(s.unknown, 'message')} lost after the final dot (may have arrived; not retried): pressroom retry ${c.slug} --unknown re-sends them`);
    }
    for (const w of await store.workerStats(c.id)) console.log(`  worker ${w.workerId}: sent ${w.sent}, sending ${w.sending}`);
  }
}

/** `state paused: <reason>; hard bounces 3 (1%), soft bounces 0 (0%), complaints 0 (0%), cancelled 0`. */
function stateLine(c: Campaign, s: CampaignStats): string {
  const m = campaignSummary(c, s);
  const state = m.pauseReason !== null ? `paused: ${m.pauseReason}` : m.state;
  return (
    `state ${state}; hard bounces ${m.hardBounces} (${percent(m.bounceRate)}), soft bounces ${m.softBounces} (${percent(m.softBounceRate)}), ` +
    `complaints ${m.complaints} (${percent(m.complaintRate)}), cancelled ${m.cancelled}`
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
