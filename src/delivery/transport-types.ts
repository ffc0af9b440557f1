// The transport interface: one prepared message in, the server's answer out. The campaign pipeline
// only ever sees this interface, so SMTP and the outbox folder are interchangeable. A leaf module:
// the transports implement it without importing the factory that picks one (create-transport.ts).
import type { OutgoingMessage } from '../email/message.js';

export interface SendResult {
  /** SMTP reply code of the accepted message (250), or 250 for the outbox. */
  code: number;
  /** The server's reply text, kept in the ledger. */
  response: string;
}

/** Optional context for a send; transports may ignore it (the outbox uses it to pick a folder). */
export interface SendMeta {
  /** Campaign slug, or undefined for a one-off test message. */
  campaign?: string;
  /** Aborting gives up on the message (it is then neither sent nor failed: temporary). */
  signal?: AbortSignal;
  /**
   * Only for a transport that `holdsFinalDot`, asked before the content is written: when it
   * returns a promise, the message is written up to its final dot, which is sent once the promise
   * resolves, so the server cannot accept it before. If it rejects, the message is abandoned
   * undelivered (the connection closes without the dot) and send rejects. Undefined: go on at once.
   */
  beforeFinalDot?: () => Promise<void> | undefined;
}

export interface Transport {
  readonly description: string;
  /** Which transport this is, as recorded on campaigns (see transportIdentity). */
  readonly identity: string;
  /**
   * The longest one send() may take before it gives up (SMTP: the message timeout up to the final
   * dot plus the wait for the answer after it). The pipeline
   * starts no send closer than this to the end of the row's lease, so a slow message can never
   * outlive its claim and be sent again by another worker.
   */
  readonly maxSendMs?: number;
  /** Honours SendMeta.beforeFinalDot. A lane waits for its previous mark before sending through any other transport. */
  readonly holdsFinalDot?: boolean;
  send(message: OutgoingMessage, meta?: SendMeta): Promise<SendResult>;
  close(): Promise<void>;
}
