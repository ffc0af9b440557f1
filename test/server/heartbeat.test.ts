// Each service process keeps a heartbeat row in the store while it runs (the console's health page
// lists them) and removes it when it stops cleanly: startService on a real SQLite file.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/logging.js';
import { isSilent } from '../../src/server/heartbeat.js';
import { startService } from '../../src/server/service.js';
import { openStore } from '../../src/storage/open.js';
import { waitFor } from '../support/wait.js';

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

it('a running serve process has a live heartbeat row with its worker id, mode and pid; stopping removes it', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'pressroom-heartbeat-'));
  roots.push(root);
  const config = defaultConfig(root);
  await mkdir(config.issuesDir, { recursive: true });
  Object.assign(config, { port: 0, host: '127.0.0.1', smtpUrl: 'outbox:', workerId: 'beat-test' });
  const service = await startService({ config, mode: 'serve', logger: silentLogger() });
  const observer = await openStore(config); // as another process on the same store sees it
  try {
    let beats = await observer.listWorkerBeats();
    await waitFor(async () => (beats = await observer.listWorkerBeats()).length > 0, { what: 'the first heartbeat' });
    expect(beats).toHaveLength(1);
    expect(beats[0]).toMatchObject({ workerId: 'beat-test', mode: 'serve', pid: process.pid, host: os.hostname() });
    expect(isSilent(beats[0]!.seenAt, Date.now())).toBe(false);
    await service.stop();
    expect(await observer.listWorkerBeats()).toEqual([]);
  } finally {
    await service.stop();
    await observer.close();
  }
});
