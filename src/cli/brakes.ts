// `pressroom pause|resume|cancel SLUG`: the brakes of a campaign. They write the campaign row
// only; every worker sending the campaign (this machine's or another's) reads it within one poll,
// finishes the messages in flight and gives the rest back (docs/delivery.md, "The brakes").
// Exit codes: 0 done; 1 the action does not apply (finished, already paused, not paused...);
// 2 no such campaign.
import type { Command } from 'commander';
import { brakeRefusal, type BrakeAction } from '../domain/campaign-state.js';
import { openStore } from '../storage/open.js';
import type { Campaign, Store } from '../storage/store.js';
import { configFrom, UsageError } from './common.js';

interface Options {
  config?: string;
  dataDir?: string;
}

const ACTIONS: Array<{ action: BrakeAction; description: string; run: (store: Store, campaign: Campaign, pollSeconds: number) => Promise<string | null> }> = [
  {
    action: 'pause',
    description: 'pause a campaign: workers finish the messages in flight and send nothing more until resume',
    async run(store, c, pollSeconds) {
      if (!(await store.pauseCampaign(c.id, null))) return null;
      return `paused ${c.slug}: workers finish the messages in flight and stop within ${pollSeconds || 10} s; pressroom resume ${c.slug} continues it`;
    },
  },
  {
    action: 'resume',
    description: 'resume a paused campaign where it stopped (nobody already mailed is mailed again)',
    async run(store, c, pollSeconds) {
      if (!(await store.resumeCampaign(c.id))) return null;
      const s = await store.campaignStats(c.id);
      const automatic = c.pauseReason !== null ? '; it paused itself, so it will not pause itself again' : '';
      return `resumed ${c.slug}: ${s.queued + s.retry + s.sending} left to send${automatic}; running workers pick it up within ${pollSeconds || 10} s (or pressroom send ${c.slug})`;
    },
  },
  {
    action: 'cancel',
    description: 'cancel a campaign: its unsent messages are never sent (the ones in flight finish)',
    async run(store, c) {
      const { applied, rows, finished } = await store.cancelCampaign(c.id);
      if (!applied) return null;
      const s = await store.campaignStats(c.id);
      const rest = finished ? 'the campaign is finished' : `${s.sending} in flight finish first`;
      return `cancelled ${c.slug}: ${rows} unsent ${rows === 1 ? 'message' : 'messages'} will not be sent, ${s.sent} were; ${rest}`;
    },
  },
];

export function registerBrakeCommands(program: Command): void {
  for (const { action, description, run } of ACTIONS) {
    program
      .command(action)
      .argument('<slug>', 'the campaign')
      .description(`${description}; exit 1 if it does not apply`)
      .option('--data-dir <dir>', 'data folder (default ./data or PRESSROOM_DATA_DIR)')
      .option('--config <file>', 'configuration file (default ./pressroom.config.json or PRESSROOM_CONFIG)')
      .action(async (slug: string, options: Options) => {
        const config = await configFrom(options);
        const store = await openStore(config);
        try {
          const campaign = await store.getCampaign(slug);
          if (!campaign) throw new UsageError(`${action}: no campaign "${slug}" (see pressroom status)`);
          const refused = brakeRefusal(campaign, action);
          // The store's compare-and-set decides; null: someone else changed the campaign meanwhile.
          const done = refused === null ? await run(store, campaign, config.pollSeconds) : null;
          if (done === null) {
            const now = await store.getCampaign(slug);
            console.error(`pressroom: ${refused ?? (now && brakeRefusal(now, action)) ?? `campaign ${slug} changed meanwhile; see pressroom status ${slug}`}`);
            process.exitCode = 1;
            return;
          }
          console.log(done);
        } finally {
          await store.close();
        }
      });
  }
}
