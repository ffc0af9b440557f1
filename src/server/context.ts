// What the route modules share, built once in buildServer.
import type { Config } from '../config/config.js';
import type { Transport } from '../delivery/transport.js';
import type { Logger } from '../logging.js';
import type { Store } from '../storage/store.js';
import type { CampaignRunner } from '../worker/runner.js';
import type { IssueSource } from './issue-source.js';
import type { SystemMailer } from './mailer.js';
import type { RateLimitOptions } from './rate-limit.js';

export interface ServerContext {
  config: Config;
  store: Store;
  transport: Transport;
  logger: Logger;
  secret: string;
  runner: CampaignRunner;
  issues: IssueSource;
  mailer: SystemMailer;
  rateLimit: RateLimitOptions;
  /** Console sign-in attempts per client address (src/server/admin/session-policy.ts). */
  loginRateLimit: RateLimitOptions;
  now: () => number;
}
