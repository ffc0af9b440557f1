// bench/send-rss: the sender's peak memory with 1,000,000 recipients queued.
//
//   npx tsx bench/send-rss.ts [queued=1000000] [stopAfter=30000] [connections=10]
//
// Imports the subscribers through the store's bulk import (10,000 per call), creates the campaign
// (the 1M-row ledger snapshot), then runs the sender in a separate process against smtp-sink and
// stops it gracefully after `stopAfter` messages: rows are claimed 500 at a time, so memory does
// not depend on how many stay queued; the RSS samples along the way show it staying flat. The
// reference in the same run is the same child sending to a 1,000-recipient campaign.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../src/config/config.js';
import { issueTopics } from '../src/content/issue.js';
import { findIssue, loadIssues } from '../src/content/load.js';
import { openStore } from '../src/storage/open.js';
import { startSink } from './send.js';

const QUEUED = Number(process.argv[2] ?? 1_000_000);
const STOP = Number(process.argv[3] ?? 30_000);
const CONNECTIONS = Number(process.argv[4] ?? 10);
const PORT = Number(process.env.SMTP_SINK_PORT ?? 2525);
const SLUG = 'sofa-weekly-20200717'; // ~40 KB as an email, as in bench/send.ts
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.join(root, 'bench/.work/send-rss');

async function prepare(dir: string, subscribers: number): Promise<void> {
  mkdirSync(path.join(dir, 'issues'), { recursive: true });
  copyFileSync(path.resolve(root, `../shared/corpus/sofa-weekly/${SLUG}.md`), path.join(dir, 'issues', `${SLUG}.md`));
  const config = defaultConfig(root);
  config.dataDir = dir;
  config.issuesDir = path.join(dir, 'issues');
  const store = await openStore(config);
  const t = performance.now();
  for (let i = 0; i < subscribers; i += 10_000) {
    await store.importSubscribers(Array.from({ length: Math.min(10_000, subscribers - i) }, (_, k) => ({ email: `sub${i + k}@example.org`, status: 'active' as const })));
  }
  const imported = performance.now();
  const issue = findIssue((await loadIssues(config)).issues, SLUG)!;
  await store.createCampaign({ slug: issue.slug, title: issue.title, topics: issueTopics(issue) });
  console.log(`${subscribers} subscribers imported in ${((imported - t) / 1000).toFixed(1)} s, campaign snapshot in ${((performance.now() - imported) / 1000).toFixed(1)} s`);
  await store.close();
}

const flags = (process.env.SENDER_NODE_FLAGS ?? '').split(' ').filter(Boolean);

function runChild(dir: string, stop: number): { sent: number; queuedLeft: number; ms: number; peakRssMb: number; samples: Array<{ sent: number; rssMb: number }> } {
  const r = spawnSync(
    process.execPath,
    [...flags, '--import', 'tsx', path.join(root, 'bench/send-rss-child.ts'), dir, path.join(dir, 'issues'), SLUG, `smtp://127.0.0.1:${PORT}`, String(stop), String(CONNECTIONS)],
    { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) throw new Error(`sender failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

rmSync(work, { recursive: true, force: true });
const sink = await startSink(PORT);
try {
  const small = path.join(work, 'small');
  const big = path.join(work, 'big');
  await prepare(small, 1000);
  await prepare(big, QUEUED);
  const ref = runChild(small, 1000);
  const res = runChild(big, STOP);
  if (flags.length) console.log(`sender node flags: ${flags.join(' ')}`);
  console.log(`reference: 1,000 queued, sent ${ref.sent}: peak RSS ${ref.peakRssMb} MB`);
  console.log(
    `${QUEUED.toLocaleString('en')} queued, sent ${res.sent} in ${(res.ms / 1000).toFixed(1)} s then stopped (${res.queuedLeft} still queued): peak RSS ${res.peakRssMb} MB (goal < 128 MB)`,
  );
  console.log(`RSS along the way: ${res.samples.map((s) => `${s.sent}: ${s.rssMb} MB`).join(', ')}`);
} finally {
  sink?.kill();
  rmSync(work, { recursive: true, force: true });
}
