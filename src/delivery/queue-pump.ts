// The drain loop of a durable queue in the store (system mail, outbound events): work now, again
// when kicked, and on a timer for rows other processes left behind or retries coming due. One
// round at a time; a kick during a round runs another right after it.

/** Claims and handles what is due until nothing is; returns when the next row is due (epoch ms) or null. Checks `stopped` between claims. */
type PumpRound = (pump: { readonly stopped: boolean }) => Promise<number | null>;

export class QueuePump {
  private started = false;
  private stopFlag = false;
  private again = false;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | undefined;

  /** `pollMs`: the longest wait between rounds; `onError`: a round could not use the store (it is tried again after pollMs). */
  constructor(
    private readonly round: PumpRound,
    private readonly pollMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  get stopped(): boolean {
    return this.stopFlag;
  }

  /** Starts draining (idempotent): now, whenever kicked, and on a timer. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.kick();
  }

  /** Something was queued: drain now (or right after the round in progress). */
  kick(): void {
    if (!this.started || this.stopFlag) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.pump().finally(() => {
      this.running = null;
    });
  }

  /** Stops claiming; waits for the round in progress. */
  async stop(): Promise<void> {
    this.stopFlag = true;
    clearTimeout(this.timer);
    await this.drain();
  }

  /** Waits until the round in progress (and any it triggered) has ended. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private async pump(): Promise<void> {
    let waitMs = this.pollMs;
    try {
      let next: number | null;
      do {
        this.again = false;
        next = await this.round(this);
      } while (this.again && !this.stopFlag);
      if (next !== null) waitMs = Math.min(this.pollMs, Math.max(100, next - Date.now()));
    } catch (err) {
      this.onError(err);
    }
    if (this.stopFlag) return;
    this.timer = setTimeout(() => this.kick(), waitMs);
    this.timer.unref();
  }
}
