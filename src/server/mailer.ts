// Sends the confirm and welcome emails. The HTTP answer to a sign-up must not depend on whether
// an email went out (that would reveal known addresses, by content or by timing), so sends run
// in the background; they are tracked so shutdown can wait for them.
import type { Config } from '../config/config.js';
import type { Transport } from '../delivery/transport.js';
import type { Recipient, PreparedEmail } from '../email/message.js';
import { prepareSystemEmail } from '../email/system-email.js';
import type { Logger } from '../logging.js';

export type SystemEmailKind = 'confirm' | 'welcome';

export class SystemMailer {
  private readonly prepared = new Map<SystemEmailKind, Promise<PreparedEmail>>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly config: Config,
    private readonly transport: Transport,
    private readonly secret: string,
    private readonly logger: Logger,
  ) {}

  /** Fire and forget; failures are logged, never shown to the visitor. */
  send(kind: SystemEmailKind, recipient: Recipient): void {
    const job = this.sendNow(kind, recipient)
      .catch((err: unknown) => {
        this.logger.error({ err, kind, subscriberId: recipient.id }, `could not send the ${kind} email`);
      })
      .finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  async sendNow(kind: SystemEmailKind, recipient: Recipient): Promise<void> {
    const prepared = await (this.prepared.get(kind) ?? this.prepare(kind));
    const message = prepared.messageFor(recipient);
    const result = await this.transport.send(message);
    this.logger.info({ kind, subscriberId: recipient.id, code: result.code }, `${kind} email sent`);
  }

  /** Rendered once per process; a failed render is retried next time. */
  private prepare(kind: SystemEmailKind): Promise<PreparedEmail> {
    const fresh = prepareSystemEmail(this.config, kind, this.secret);
    fresh.catch(() => this.prepared.delete(kind));
    this.prepared.set(kind, fresh);
    return fresh;
  }

  /** Waits for background sends (graceful shutdown, tests). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
