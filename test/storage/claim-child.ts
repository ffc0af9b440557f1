// Child process for sqlite-processes.test.ts: claims batches from one SQLite file until nothing is
// claimable, marks each row sent, and prints the subscriber ids it got as JSON.
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';

const [file, campaignId, workerId] = process.argv.slice(2) as [string, string, string];
const store = new SqliteStore(file);
await store.migrate();
const got: number[] = [];
for (;;) {
  const batch = await store.claimBatch(Number(campaignId), workerId, 20, 60_000);
  if (batch.length === 0) break;
  for (const d of batch) {
    got.push(d.subscriberId);
    await store.markSent(d.campaignId, d.subscriberId, { smtpCode: 250, smtpResponse: `250 ${workerId}` });
  }
}
await store.close();
process.stdout.write(JSON.stringify(got));
