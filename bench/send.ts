// bench/send: Pressroom's sender against Postfix's smtp-sink, with Postfix's smtp-source as the
// reference in the same run.
//
//   npx tsx bench/send.ts [recipients=20000] [connections=10] [rounds=2] [--cli]
//   SMTP_CLIENT=nodemailer npx tsx bench/send.ts ...   (nodemailer's pool instead of our pipelining client)
//
// --cli: instead of sendCampaign in this process, the whole shipped command, `node bin/pressroom.js
// send SLUG` (dist/), in a process of its own over a copy of a data folder with the N subscribers
// imported: start-up, loading the corpus, the campaign's ledger snapshot, rendering and sending,
// timed from spawn to exit (its CPU from /usr/bin/time). --warm-cache (with --cli): the data folder
// has the render cache of the corpus (`pressroom check` run once on it before the rounds), as after
// a build, a check or an earlier send.
//
// Sends one corpus issue (the one whose email is closest to 40 KB) to N subscribers through the
// whole pipeline (SQLite ledger claims and marks, per-recipient message, the pipelining SMTP client), then
// lets smtp-source send N messages of the same size over the same number of connections, reusing
// each connection (-d) like our pool. Rounds alternate the two; the best round of each is compared
// (the machines are shared, so the best run is the least disturbed one). smtp-sink is started on
// 127.0.0.1:2525 (SMTP_SINK_PORT) unless something already listens there.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig } from '../src/config/config.js';
import { loadIssues } from '../src/content/load.js';
import { sendCampaign } from '../src/delivery/campaign.js';
import { createTransport } from '../src/delivery/transport.js';
import { prepareIssueEmail } from '../src/email/issue-email.js';
import { silentLogger } from '../src/logging.js';
import { openStore } from '../src/storage/open.js';

const CLI = process.argv.includes('--cli');
const WARM_CACHE = process.argv.includes('--warm-cache');
const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const N = Number(positional[0] ?? 20_000);
const CONNECTIONS = Number(positional[1] ?? 10);
const ROUNDS = Number(positional[2] ?? 2);
const PORT = Number(process.env.SMTP_SINK_PORT ?? 2525);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.join(root, 'bench/.work/send');
const corpus = path.resolve(root, '../shared/corpus/sofa-weekly');

export function findPostfixTool(name: string): string {
  for (const p of [`/usr/sbin/${name}`, `/usr/bin/${name}`, `/usr/lib/postfix/${name}`]) {
    if (spawnSync('test', ['-x', p]).status === 0) return p;
  }
  throw new Error(`${name} not found: install the Debian package postfix`);
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Starts `smtp-sink -c 127.0.0.1:PORT 1000` unless the port is taken; returns the process (or null). */
export async function startSink(port: number): Promise<ChildProcess | null> {
  if (await portOpen(port)) {
    console.log(`using the SMTP server already listening on 127.0.0.1:${port}`);
    return null;
  }
  const asRoot = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
  const sink = spawn(findPostfixTool('smtp-sink'), [...asRoot, '-c', `127.0.0.1:${port}`, '1000'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await portOpen(port)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!(await portOpen(port))) throw new Error('smtp-sink did not start');
  return sink;
}

function smtpSource(messages: number, size: number, sessions: number): number {
  const t = performance.now();
  const r = spawnSync(
    findPostfixTool('smtp-source'),
    ['-d', '-s', String(sessions), '-m', String(messages), '-l', String(size), '-f', 'news@example.org', '-t', 'reader@example.org', `127.0.0.1:${PORT}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  if (r.status !== 0) throw new Error(`smtp-source failed: ${r.stderr}`);
  return performance.now() - t;
}

/** The environment of a shipped `pressroom` command run by a bench: this one's, less any Pressroom setting, plus these. */
export function senderEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PRESSROOM_') && k !== 'SMTP_URL' && k !== 'DATABASE_URL' && k !== 'NODE_OPTIONS') env[k] = v;
  return Object.assign(env, settings);
}

/** `pressroom ARGS` over the data folder `dir`, timed from spawn to exit; CPU (user + system) from /usr/bin/time. */
function cli(dir: string, args: string[]) {
  const configFile = path.join(dir, 'pressroom.config.json');
  writeFileSync(configFile, `${JSON.stringify({ smtp: { maxConnections: CONNECTIONS } })}\n`);
  const env = senderEnv({
    SMTP_URL: `smtp://127.0.0.1:${PORT}${process.env.SMTP_CLIENT ? `?client=${process.env.SMTP_CLIENT}` : ''}`,
    PRESSROOM_SECRET: 'bench-secret-0123456789abcdef',
    PRESSROOM_DATA_DIR: dir,
    PRESSROOM_ISSUES_DIR: corpus,
  });
  const timeFile = path.join(dir, 'time.txt');
  const command = [process.execPath, path.join(root, 'bin/pressroom.js'), ...args, '--config', configFile];
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, ...command], { cwd: root, env, encoding: 'utf8' });
  const ms = performance.now() - t;
  const cpuMs = () => {
    const [user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return (user! + system!) * 1000;
  };
  return { ...r, ms, cpuMs };
}

/** `pressroom send SLUG` over the data folder `dir`: wall and CPU milliseconds, and how many it sent. */
function cliSend(dir: string, slug: string): { ms: number; cpuMs: number; sent: number } {
  const r = cli(dir, ['send', slug]);
  const sent = /(\d+) sent now/.exec(r.stdout);
  if (r.status !== 0 || !sent) throw new Error(`pressroom send failed (exit ${r.status}): ${r.stdout}${r.stderr}`);
  return { ms: r.ms, cpuMs: r.cpuMs(), sent: Number(sent[1]) };
}

async function main() {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const sink = await startSink(PORT);
  try {
    const config = defaultConfig(root);
    config.issuesDir = corpus;
    config.dataDir = work;
    config.smtpUrl = `smtp://127.0.0.1:${PORT}${process.env.SMTP_CLIENT ? `?client=${process.env.SMTP_CLIENT}` : ''}`;
    config.secret = 'bench-secret-0123456789abcdef';
    config.smtp.maxConnections = CONNECTIONS;
    const { issues } = await loadIssues(config);
    const secret = config.secret;
    let best = { issue: issues[0]!, size: 0 };
    for (const issue of issues) {
      const size = (await prepareIssueEmail(config, issue, secret)).messageFor({ id: 1, email: 'sub1@example.org', name: 'Reader 1' }).raw.length;
      if (Math.abs(size - 40_000) < Math.abs(best.size - 40_000)) best = { issue, size };
    }
    console.log(`issue ${best.issue.slug} (${best.issue.sourcePath}): ${best.size} bytes per message; ${N} recipients, ${CONNECTIONS} connections`);

    const store = await openStore(config);
    for (let i = 0; i < N; i += 10_000) {
      await store.importSubscribers(
        Array.from({ length: Math.min(10_000, N - i) }, (_, k) => ({ email: `sub${i + k}@example.org`, name: `Reader ${i + k}`, status: 'active' as const })),
      );
    }

    // --cli: each round sends the same issue from a fresh copy of this data folder (subscribers, no campaign yet).
    const template = path.join(root, 'bench/.work/send-cli-template');
    if (CLI) {
      await store.close();
      rmSync(template, { recursive: true, force: true });
      cpSync(work, template, { recursive: true });
      if (WARM_CACHE) {
        const check = cli(template, ['check', '--no-preflight']);
        if (check.status !== 0) throw new Error(`pressroom check failed (exit ${check.status}): ${check.stdout}${check.stderr}`);
        console.log('render cache of the corpus made by `pressroom check` before the rounds');
      }
    }
    const results: Array<{ round: number; ours: number; ref: number }> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const ref = smtpSource(N, best.size, CONNECTIONS);
      const rate = (ms: number) => (N / (ms / 1000)).toFixed(0);
      if (CLI) {
        const dir = path.join(root, `bench/.work/send-cli-${round}`);
        rmSync(dir, { recursive: true, force: true });
        cpSync(template, dir, { recursive: true });
        const run = cliSend(dir, best.issue.slug);
        rmSync(dir, { recursive: true, force: true });
        if (run.sent !== N) throw new Error(`sent ${run.sent}, expected ${N}`);
        results.push({ round, ours: run.ms, ref });
        console.log(
          `round ${round}: smtp-source ${ref.toFixed(0)} ms (${rate(ref)} msg/s); the whole \`pressroom send\` ${run.ms.toFixed(0)} ms (${rate(run.ms)} msg/s, ${((run.cpuMs * 1000) / N).toFixed(0)} µs CPU per message); ratio ${(ref / run.ms).toFixed(2)}`,
        );
        continue;
      }
      const issue = { ...best.issue, slug: `${best.issue.slug}-bench-${round}`, tags: [], categories: [] };
      const transport = createTransport(config, silentLogger());
      const t = performance.now();
      const cpu = process.cpuUsage();
      const out = await sendCampaign({ store, transport, config, logger: silentLogger(), workerId: 'bench', secret }, issue);
      const ours = performance.now() - t;
      const used = process.cpuUsage(cpu);
      await transport.close();
      if (out.sent !== N || out.failed !== 0) throw new Error(`sent ${out.sent}, failed ${out.failed}`);
      results.push({ round, ours, ref });
      console.log(
        `round ${round}: smtp-source ${ref.toFixed(0)} ms (${rate(ref)} msg/s); pressroom send ${ours.toFixed(0)} ms (${rate(ours)} msg/s, ${((used.user + used.system) / N).toFixed(0)} µs CPU per message); ratio ${(ref / ours).toFixed(2)}`,
      );
    }
    if (CLI) rmSync(template, { recursive: true, force: true });
    else await store.close();
    const bestOurs = Math.min(...results.map((r) => r.ours));
    const bestRef = Math.min(...results.map((r) => r.ref));
    console.log(
      `best: smtp-source ${(N / (bestRef / 1000)).toFixed(0)} msg/s, pressroom ${(N / (bestOurs / 1000)).toFixed(0)} msg/s, ` +
        `ratio ${(bestRef / bestOurs).toFixed(2)} (goal 0.8); peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
  } finally {
    sink?.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
