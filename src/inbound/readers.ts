// The bounce readers a process runs, started and stopped together: the inbound SMTP receiver
// (receiver.ts) and the bounce-mailbox poller (bounce-mailbox.ts). Both `pressroom start` and
// `pressroom inbound` run them through here. The receiver's modules (smtp-server, mailparser)
// load only when it runs.
import type { Config } from '../config/config.js';
import { feedbackPolicy, type FeedbackRecorder } from '../domain/feedback.js';
import type { Logger } from '../logging.js';
import type { BounceMailboxSettings } from './bounce-mailbox.js';
import { bounceMailboxPoller } from './bounce-mailbox.js';
import type { ImapPoller } from './imap-poller.js';
import type { InboundReceiver } from './receiver.js';
import { inboundListenProblem, type ReceiverSettings } from './settings.js';

export interface BounceReaders {
  receiver: InboundReceiver | null;
  mailbox: ImapPoller | null;
  /** Stops taking connections (messages in progress finish) and polling. */
  close(): Promise<void>;
}

/** Starts what the settings ask for (null: not that one); a port already taken is a one-line ConfigError. */
export async function startBounceReaders(
  settings: { receiver: ReceiverSettings | null; mailbox: BounceMailboxSettings | null },
  deps: { config: Config; recorder: FeedbackRecorder; log: Logger },
): Promise<BounceReaders> {
  let receiver: InboundReceiver | null = null;
  if (settings.receiver) {
    const wanted = settings.receiver;
    const { startInboundReceiver } = await import('./receiver.js');
    receiver = await startInboundReceiver({ ...wanted, recorder: deps.recorder, policy: feedbackPolicy(deps.config), log: deps.log }).catch((err: unknown) => {
      throw inboundListenProblem(err, wanted) ?? err;
    });
  }
  let mailbox: ImapPoller | null = null;
  try {
    if (settings.mailbox) {
      mailbox = await bounceMailboxPoller(settings.mailbox, deps);
      mailbox.start();
    }
  } catch (err) {
    await receiver?.close();
    throw err;
  }
  return {
    receiver,
    mailbox,
    async close() {
      await Promise.all([receiver?.close(), mailbox?.stop()]);
    },
  };
}
