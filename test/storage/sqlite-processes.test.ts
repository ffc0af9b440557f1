// Several processes on one SQLite file: claims must stay disjoint (SQLite serialises the writers;
// busy_timeout makes them wait rather than fail).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { projectRoot } from '../support/paths.js';

const root = mkdtempSync(path.join(tmpdir(), 'pressroom-sqlite-procs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function child(file: string, campaignId: number, workerId: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'test/storage/claim-child.ts', file, String(campaignId), workerId], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`${workerId} exited ${code}: ${err}`))));
  });
}

it('three processes claiming from one file get disjoint rows that cover the whole campaign', { timeout: 120_000 }, async () => {
  const file = path.join(root, 'pressroom.db');
  const store = new SqliteStore(file);
  await store.migrate();
  await store.importSubscribers(Array.from({ length: 3000 }, (_, i) => ({ email: `u${i}@example.org` })));
  const { campaign } = await store.createCampaign({ slug: 'procs', title: 'Procs', topics: [] });

  const results = await Promise.all(['p1', 'p2', 'p3'].map((w) => child(file, campaign.id, w)));
  const all = results.flat();
  expect(all).toHaveLength(3000);
  expect(new Set(all).size).toBe(3000);
  const stats = await store.campaignStats(campaign.id);
  expect(stats).toMatchObject({ sent: 3000, queued: 0, sending: 0 });
  const perWorker = await store.workerStats(campaign.id);
  expect(perWorker.reduce((n, w) => n + w.sent, 0)).toBe(3000);
  // The ledger's per-worker counts agree with what each process says it got.
  const said = ['p1', 'p2', 'p3'].map((w, i) => ({ workerId: w, sent: results[i]!.length, sending: 0 })).filter((w) => w.sent > 0);
  expect(perWorker).toEqual(said);
  await store.close();
});
