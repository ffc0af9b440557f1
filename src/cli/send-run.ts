// What `pressroom send` does once its arguments are read: a dry run, a test to one address, the
// newcomers of a finished campaign, or the send itself with its progress line and the final counts.
import type { Config } from '../config/config.js';
import { issueTopics, type Issue } from '../content/issue.js';
import { invalidAddressMessage, parseAddress } from '../domain/address.js';
import { notEmailableText, whyNotEmailable } from '../domain/publication.js';
import { recipientFilter } from '../domain/recipients.js';
import type { Progress, SendOutcome } from '../delivery/campaign.js';
import { testRecipient } from '../email/message.js';
import type { RenderParts } from '../email/render-cache.js';
import type { CampaignStats, Store } from '../storage/store.js';
import { duration, plural } from './campaign-report.js';
import { UsageError } from './common.js';

export async function checkSendable(issue: Issue): Promise<void> {
  const reason = whyNotEmailable(issue, Date.now());
  if (!reason) return;
  const { DeliveryError } = await import('../delivery/campaign.js');
  throw new DeliveryError(`${issue.sourcePath}: "${issue.slug}" ${notEmailableText(reason, issue)}`);
}

/** `send --newcomers`: queues who joined after the campaign's snapshot; true when anyone was added (then they are sent). */
export async function addNewcomers(store: Store, slug: string): Promise<boolean> {
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

export async function sendTest(config: Config, issue: Issue, address: string): Promise<void> {
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
export async function dryRun(store: Store, issue: Issue): Promise<void> {
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

/** The send itself; `renderParts`: how the issue is rendered when no earlier pass has (default: a new render process). */
export async function runSend(config: Config, store: Store, issue: Issue, renderParts?: RenderParts): Promise<void> {
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
      { store, transport, config, logger, workerId: identity.workerId, secret: resolveSecret(config), signal: abort.signal, onProgress: bar.update, renderParts },
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
