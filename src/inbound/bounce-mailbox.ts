// The bounce mailbox at a provider (inbound.imapUrl) as `pressroom start` and `pressroom inbound`
// run it: the IMAP poller (imap-poller.ts) handing each message to processFeedbackMessage, the
// same reader the SMTP receiver uses, with the source `imap`. imapflow and the parser are loaded
// only when a mailbox is configured.
import type { ConnectionOptions } from 'node:tls';
import { ConfigError, type Config } from '../config/config.js';
import { feedbackPolicy, type FeedbackRecorder } from '../domain/feedback.js';
import type { Logger } from '../logging.js';
import type { ImapPoller } from './imap-poller.js';

export interface BounceMailboxSettings {
  url: string;
  pollSeconds: number;
  moveTo?: string;
  maxMessageBytes: number;
  bounceAddress: string;
  secret: string;
}

/**
 * What the poller needs, checked before anything opens; null without inbound.imapUrl. Without the
 * bounce address or the secret the tokens were signed with it could attribute nothing.
 */
export function bounceMailboxSettings(config: Config, secret: string | null): BounceMailboxSettings | null {
  const { imapUrl, imapPollSeconds, imapMoveTo, maxMessageBytes } = config.inbound;
  if (imapUrl === undefined) return null;
  const bounceAddress = config.email.bounceAddress;
  if (!bounceAddress)
    throw new ConfigError('email.bounceAddress: the IMAP bounce-mailbox poller (inbound.imapUrl) needs it (set PRESSROOM_BOUNCE_ADDRESS, e.g. bounces@news.example.org)');
  if (!secret)
    throw new ConfigError(
      'secret: the IMAP bounce-mailbox poller (inbound.imapUrl) needs the secret the senders sign VERP tokens with (set PRESSROOM_SECRET or "secret" in the config file, the same as for `pressroom start`/`send`)',
    );
  return { url: imapUrl, pollSeconds: imapPollSeconds, moveTo: imapMoveTo, maxMessageBytes, bounceAddress, secret };
}

/** A poller (not started) whose messages are recorded through processFeedbackMessage. `tls`: more TLS options (a private CA). */
export async function bounceMailboxPoller(
  settings: BounceMailboxSettings,
  deps: { config: Config; recorder: FeedbackRecorder; log: Logger; tls?: ConnectionOptions },
): Promise<ImapPoller> {
  const [{ ImapPoller }, { processFeedbackMessage }] = await Promise.all([import('./imap-poller.js'), import('./process.js')]);
  const { url, pollSeconds, moveTo, maxMessageBytes, bounceAddress, secret } = settings;
  const { recorder, log } = deps;
  const policy = feedbackPolicy(deps.config);
  return new ImapPoller({
    url,
    pollSeconds,
    moveTo,
    maxMessageBytes,
    log,
    tls: deps.tls,
    handle: async (raw, recipients, receivedAt) => {
      const trustReportedAddresses = deps.config.inbound.trustReportedAddresses;
      await processFeedbackMessage(raw, { recorder, policy, bounceAddress, secret, source: 'imap', recipients, receivedAt, log, trustReportedAddresses });
    },
  });
}
