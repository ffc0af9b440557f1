// bench/send-rss: the sender's peak memory with 1,000,000 recipients queued.
//
//   npx tsx bench/send-rss.ts [queued=1000000] [stopAfter=30000] [connections=10]
//
// Imports the subscribers through the store's bulk import (10,000 per call), creates the campaign
// (the 1M-row ledger snapshot), then runs the sender, the shipped `pressroom send` (bin/ -> dist/,
// no TypeScript loader; this script itself runs through tsx), in a process of its own against
// smtp-sink and stops it gracefully (SIGINT) after `stopAfter` messages: rows are claimed 500 at a
// time, so memory does not depend on how many stay queued; the RSS samples along the way show it
// staying flat. The reference in the same run is the same command sending a 1,000-recipient
// campaign. SENDER_NODE_FLAGS adds node flags to the sender (e.g. a heap limit, to compare).
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../src/config/config.js';
import { issueTopics } from '../src/content/issue.js';
import { findIssue, loadIssues } from '../src/content/load.js';
import { openStore } from '../src/storage/open.js';
import { senderEnv, startSink } from './send.js';

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

interface SenderRun {
  sent: number;
  ms: number;
  peakRssMb: number;
  samples: Array<{ sent: number; rssMb: number }>;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/**
 * The shipped CLI, `node bin/pressroom.js send <slug>` (compiled dist/, no TypeScript loader),
 * stopped like an operator would (SIGINT: finish the messages in flight) once its progress line
 * shows `stop` sent. Its RSS is sampled at every progress line (every 2 s); the peak is the
 * process's own maxRSS, written at exit by send-rss-probe.mjs.
 */
function runSender(dir: string, stop: number): Promise<SenderRun> {
  const probe = path.join(dir, 'probe.json');
  writeFileSync(path.join(dir, 'pressroom.config.json'), `${JSON.stringify({ smtp: { maxConnections: CONNECTIONS } })}\n`);
  const env = senderEnv({
    SMTP_URL: `smtp://127.0.0.1:${PORT}`,
    PRESSROOM_SECRET: 'bench-secret-0123456789abcdef',
    PRESSROOM_DATA_DIR: dir,
    PRESSROOM_ISSUES_DIR: path.join(dir, 'issues'),
    SEND_RSS_PROBE: probe,
  });
  const t = performance.now();
  const child = spawn(
    process.execPath,
    [...flags, '--import', path.join(root, 'bench/send-rss-probe.mjs'), path.join(root, 'bin/pressroom.js'), 'send', SLUG, '--config', path.join(dir, 'pressroom.config.json')],
    {
      cwd: root, // the email templates (emails/) are found from the working directory, as for the bench's store
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const samples: SenderRun['samples'] = [];
  let stdout = '';
  let stderr = '';
  let stopped = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    for (const m of d.toString().matchAll(/ sent (\d+), failed/g)) {
      const sent = Number(m[1]);
      samples.push({ sent, rssMb: rssOf(child.pid!) });
      if (sent >= stop && !stopped) {
        stopped = true;
        child.kill('SIGINT');
      }
    }
  });
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      const sentNow = /(\d+) sent now/.exec(stdout);
      if (!sentNow || (code !== 0 && !stopped)) return reject(new Error(`sender failed (exit ${code}): ${stdout}${stderr}`));
      const { peakRssMb } = JSON.parse(readFileSync(probe, 'utf8')) as { peakRssMb: number };
      resolve({ sent: Number(sentNow[1]), ms: performance.now() - t, peakRssMb, samples });
    });
  });
}

/**
 * A fresh copy of the prepared data folder for `subscribers`. With SEND_RSS_KEEP=1 the prepared
 * folders are kept under bench/.work/send-rss-prepared and copied for each run (the 1M import
 * takes 20-45 s), for repeated measurements; otherwise they are made and removed every run.
 */
async function prepared(name: string, subscribers: number): Promise<string> {
  const dir = path.join(work, name);
  if (!process.env.SEND_RSS_KEEP) {
    await prepare(dir, subscribers);
    return dir;
  }
  const kept = path.join(root, 'bench/.work/send-rss-prepared', String(subscribers));
  if (!existsSync(path.join(kept, 'ready'))) {
    rmSync(kept, { recursive: true, force: true });
    await prepare(kept, subscribers);
    writeFileSync(path.join(kept, 'ready'), '');
  }
  cpSync(kept, dir, { recursive: true });
  return dir;
}

rmSync(work, { recursive: true, force: true });
const sink = await startSink(PORT);
try {
  const ref = await runSender(await prepared('small', 1000), Infinity);
  const res = await runSender(await prepared('big', QUEUED), STOP);
  if (flags.length) console.log(`sender node flags: ${flags.join(' ')}`);
  console.log(`reference: 1,000 queued, sent ${ref.sent}: peak RSS ${ref.peakRssMb} MB`);
  console.log(
    `${QUEUED.toLocaleString('en')} queued, sent ${res.sent} in ${(res.ms / 1000).toFixed(1)} s then stopped (${(QUEUED - res.sent).toLocaleString('en')} still queued): peak RSS ${res.peakRssMb} MB (goal < 128 MB)`,
  );
  console.log(`RSS along the way: ${res.samples.map((s) => `${s.sent}: ${s.rssMb} MB`).join(', ')}`);
} finally {
  sink?.kill();
  rmSync(work, { recursive: true, force: true });
}
