// Sends the confirm and welcome emails through the store, like campaign mail: `send` queues the
// message durably (the system_mail table) and returns; a drain loop in every service process
// claims queued rows with a lease, sends them, and retries temporary failures with backoff, so an
// SMTP outage, a restart or a second process sharing the store loses nothing and sends nothing twice.
//
// The HTTP answer to a sign-up must not depend on whether an email went out (that would reveal
// known addresses, by content or by timing): the route only waits for the queue insert.
import type { Config } from '../config/config.js';
import { backoffDelay, defaultRetryPolicy, type RetryPolicy } from '../delivery/retry.js';
import { SendError, type SendResult, type Transport } from '../delivery/transport.js';
import type { PreparedEmail, Recipient } from '../email/message.js';
import { QueuePump } from '../delivery/queue-pump.js';
import type { Logger } from '../logging.js';
import type { DeliveryOutcome, Store, SubscriberStatus, SystemMail, SystemMailKind } from '../storage/store.js';

/** The status a subscriber must still have when the email goes out. */
const WANTED_STATUS: Record<SystemMailKind, SubscriberStatus> = { confirm: 'pending', welcome: 'active' };

export interface SystemMailerDeps {
  config: Config;
  store: Store;
  transport: Transport;
  secret: string;
  logger: Logger;
  /** Name of this process in the queue's claims. */
  workerId: string;
}

export class SystemMailer {
  private readonly prepared = new Map<SystemMailKind, Promise<PreparedEmail>>();
  private readonly policy: RetryPolicy;
  private readonly leaseMs: number;
  private readonly pump: QueuePump;

  constructor(private readonly deps: SystemMailerDeps) {
    const { config, transport } = deps;
    this.policy = {
      ...defaultRetryPolicy,
      baseDelayMs: config.smtp.systemRetrySeconds * 1000,
      maxAttempts: config.smtp.maxAttempts,
    };
    // A claim outlives the slowest possible send, so no other process can take the row meanwhile.
    this.leaseMs = Math.max(config.smtp.leaseSeconds * 1000, (transport.maxSendMs ?? 0) + 30_000);
    // Rows other processes left behind (a crash) and retries queued elsewhere are looked for this often.
    const pollMs = (config.pollSeconds || 10) * 1000;
    this.pump = new QueuePump(
      (pump) => this.round(pump),
      pollMs,
      (err) => deps.logger.error({ err }, 'system mail queue: could not use the store; trying again later'),
    );
  }

  /**
   * Queues the email; resolves once it is stored (it then survives a restart). Only the
   * recipient's id is kept: address and name are read when the message goes out.
   */
  async send(kind: SystemMailKind, recipient: Recipient): Promise<void> {
    await this.deps.store.enqueueSystemMail(kind, recipient.id);
    this.pump.kick();
  }

  /** Starts draining the queue (idempotent): now, whenever something is queued, and on a timer. */
  start(): void {
    this.pump.start();
  }

  /** Stops claiming; waits for the messages in flight. */
  stop(): Promise<void> {
    return this.pump.stop();
  }

  /** Waits until this process has nothing claimable left to send right now (graceful shutdown, tests). */
  drain(): Promise<void> {
    return this.pump.drain();
  }

  private async round(pump: { readonly stopped: boolean }): Promise<number | null> {
    const { store, workerId, config } = this.deps;
    for (;;) {
      if (pump.stopped) return null;
      const batch = await store.claimSystemMail(workerId, config.smtp.maxConnections, this.leaseMs);
      if (batch.length === 0) break;
      await Promise.all(batch.map((mail) => this.deliver(mail)));
    }
    return store.nextSystemMailAt();
  }

  private async deliver(mail: SystemMail): Promise<void> {
    const { store, transport, logger } = this.deps;
    const log = { kind: mail.kind, subscriberId: mail.subscriberId, attempt: mail.attempts };
    const subscriber = await store.getSubscriber(mail.subscriberId);
    if (!subscriber || subscriber.status !== WANTED_STATUS[mail.kind]) {
      // Confirmed, unsubscribed or erased meanwhile: the email has nothing left to say.
      await store.markSystemMailFailed(mail.id, { smtpCode: null, smtpResponse: `not sent: subscriber ${subscriber?.status ?? 'erased'}` });
      return;
    }
    if (mail.attempts > this.policy.maxAttempts) {
      // Claimed again and again by processes that died while sending it.
      await store.markSystemMailFailed(mail.id, { smtpCode: null, smtpResponse: `gave up after ${mail.attempts - 1} attempts` });
      logger.error(log, `gave up on the ${mail.kind} email`);
      return;
    }
    let result: SendResult;
    try {
      const prepared = await (this.prepared.get(mail.kind) ?? this.prepare(mail.kind));
      result = await transport.send(prepared.messageFor({ id: subscriber.id, email: subscriber.email, name: subscriber.name }));
    } catch (err) {
      await this.recordFailure(mail, err);
      return;
    }
    // Outside the try: once the server said 250, a store error must not turn into a retry.
    await store.markSystemMailSent(mail.id, { smtpCode: result.code, smtpResponse: result.response });
    logger.info({ ...log, code: result.code }, `${mail.kind} email sent`);
  }

  private async recordFailure(mail: SystemMail, err: unknown): Promise<void> {
    const { store, logger } = this.deps;
    const log = { kind: mail.kind, subscriberId: mail.subscriberId, attempt: mail.attempts, err };
    const outcome: DeliveryOutcome =
      err instanceof SendError ? { smtpCode: err.code, smtpResponse: err.response || err.message } : { smtpCode: null, smtpResponse: (err as Error).message };
    // Only a definite 5xx refusal is final; a broken template or a wrong SMTP password is fixed by
    // the operator, so those are retried like an outage.
    const permanent = err instanceof SendError && err.kind !== 'temporary' && err.kind !== 'fatal';
    if (!permanent && mail.attempts < this.policy.maxAttempts) {
      const next = Date.now() + backoffDelay(this.policy, mail.attempts);
      await store.markSystemMailRetry(mail.id, next, outcome);
      logger.warn({ ...log, next: new Date(next).toISOString() }, `could not send the ${mail.kind} email yet; will retry`);
      return;
    }
    await store.markSystemMailFailed(mail.id, outcome);
    logger.error(log, `could not send the ${mail.kind} email after ${mail.attempts} attempt${mail.attempts === 1 ? '' : 's'}; giving up`);
  }

  /** Rendered once per process; a failed render is retried next time. */
  private prepare(kind: SystemMailKind): Promise<PreparedEmail> {
    // Loaded on the first confirm or welcome email: the rendering libraries stay out of the serving process until then.
    const fresh = import('../email/system-email.js').then(({ prepareSystemEmail }) => prepareSystemEmail(this.deps.config, kind, this.deps.secret));
    fresh.catch(() => this.prepared.delete(kind));
    this.prepared.set(kind, fresh);
    return fresh;
  }
}
