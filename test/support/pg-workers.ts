// Worker processes sharing one PostgreSQL campaign, as the scale tests start them: the site's
// configuration file (templates, sender, smtp settings), the subscribers imported through the
// store, and for each worker an environment of its own (data and output folders, its id in the
// ledger and in EHLO) that polls the store every second with cron all but off.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PostgresStore } from '../../src/storage/postgres/postgres-store.js';
import type { EnvOverrides } from './cli.js';

export interface PgWorkerSetup {
  dir: string;
  databaseUrl: string;
  smtp: { maxConnections: number; batchSize: number; leaseSeconds: number };
  /** reader0@example.org ... */
  recipients: number;
  secret: string;
  smtpUrl: string;
  /** ?messageTimeout and ?dataTimeout of each worker's SMTP URL: their sum must stay under the lease (checked at load). */
  smtpTimeoutMs: number;
}

export async function preparePgWorkers(setup: PgWorkerSetup): Promise<{ base: EnvOverrides; workerEnv(id: string): EnvOverrides; emails: string[]; imported: number }> {
  const { dir, databaseUrl } = setup;
  const configFile = path.join(dir, 'pressroom.config.json');
  writeFileSync(configFile, JSON.stringify({ email: { templatesDir: path.resolve('emails'), fromAddress: 'news@example.org' }, smtp: setup.smtp }));
  // Bulk import through the store (5,000-row statements).
  const store = new PostgresStore(databaseUrl, { max: 2 });
  await store.migrate();
  const emails = Array.from({ length: setup.recipients }, (_, i) => `reader${i}@example.org`);
  const { added } = await store.importSubscribers(emails.map((email) => ({ email })));
  await store.close();

  const base: EnvOverrides = {
    DATABASE_URL: databaseUrl,
    PRESSROOM_CONFIG: configFile,
    PRESSROOM_ISSUES_DIR: path.join(dir, 'issues'),
    PRESSROOM_SECRET: setup.secret,
    PRESSROOM_LOG_LEVEL: 'warn',
  };
  const workerEnv = (id: string): EnvOverrides => {
    mkdirSync(path.join(dir, id), { recursive: true });
    return {
      ...base,
      PRESSROOM_WORKER_ID: id,
      PRESSROOM_DATA_DIR: path.join(dir, id, 'data'),
      PRESSROOM_OUT_DIR: path.join(dir, id, 'public'),
      // Cron once a year: the workers find enqueued campaigns (and, after a lease, a killed
      // worker's rows) by polling the store every second.
      PRESSROOM_SCHEDULE: '0 0 1 1 *',
      PRESSROOM_POLL_SECONDS: '1',
      SMTP_URL: `${setup.smtpUrl}?name=${id}&messageTimeout=${setup.smtpTimeoutMs}&dataTimeout=${setup.smtpTimeoutMs}`,
    };
  };
  return { base, workerEnv, emails, imported: added };
}
