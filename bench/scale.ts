// bench/scale: several `pressroom worker` processes sharing one campaign in PostgreSQL, sending to
// Postfix's smtp-sink.
//
//   npx tsx bench/scale.ts [recipients=100000] [queued=1000000] [stopAfter=40000]
//
// Part 1: 1, 2 and 4 worker processes (`node bin/pressroom.js worker`, 10 SMTP connections each)
// each send a campaign of `recipients` to smtp-sink through one PostgreSQL schema. The rate is
// recipients / (finished_at - started_at) from the ledger; the scaling factor is against 1 worker.
// Part 2: a campaign of `queued` recipients (1,000,000) in PostgreSQL; 4 workers send until
// `stopAfter` messages are out, then get SIGTERM; each worker's peak RSS (VmHWM) is read from
// /proc just before. Workers claim batches of 500, so their memory does not depend on the queue.
// Everything (PostgreSQL, smtp-sink, the workers) shares this machine: on 2 cores, 4 workers
// cannot be 4x one worker. The schemas are dropped at the end.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PostgresStore } from '../src/storage/postgres/postgres-store.js';

const RECIPIENTS = Number(process.argv[2] ?? 100_000);
const QUEUED = Number(process.argv[3] ?? 1_000_000);
const STOP_AFTER = Number(process.argv[4] ?? 40_000);
const CONNECTIONS = 10;
const PORT = Number(process.env.SCALE_SINK_PORT ?? 2526);
const BASE_URL = process.env.PRESSROOM_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.join(root, 'bench/.work/scale');
const corpusIssue = path.resolve(root, '../shared/corpus/sofa-weekly/sofa-weekly-20220211.md');
const prefix = `pressroom_bench_${randomBytes(3).toString('hex')}`;
const schemas: string[] = [];

function urlFor(schema: string): string {
  const u = new URL(BASE_URL);
  u.searchParams.set('schema', schema);
  return u.toString();
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function startSink(): Promise<ChildProcess> {
  if (await portOpen(PORT)) throw new Error(`127.0.0.1:${PORT} is taken; set SCALE_SINK_PORT`);
  const asRoot = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
  const sink = spawn('/usr/sbin/smtp-sink', [...asRoot, '-c', `127.0.0.1:${PORT}`, '1000'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await portOpen(PORT)); i++) await sleep(50);
  if (!(await portOpen(PORT))) throw new Error('smtp-sink did not start');
  return sink;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One issue file per campaign: the same corpus issue under another slug. */
function writeIssue(dir: string, slug: string): void {
  const text = readFileSync(corpusIssue, 'utf8').replace(/^---\n/, `---\nslug: ${slug}\n`);
  writeFileSync(path.join(dir, `${slug}.md`), text);
}

interface Worker {
  id: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startWorker(id: string, env: NodeJS.ProcessEnv): Worker {
  const dir = path.join(work, 'workers', id);
  mkdirSync(dir, { recursive: true });
  const child = spawn(process.execPath, [path.join(root, 'bin/pressroom.js'), 'worker', '--no-watch'], {
    cwd: work,
    env: { ...env, PRESSROOM_WORKER_ID: id, PRESSROOM_DATA_DIR: path.join(dir, 'data'), PRESSROOM_OUT_DIR: path.join(dir, 'public') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { id, child, output: () => out, exited };
}

/** Peak resident set of a live process, MB (Linux VmHWM). */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU seconds (user + system) a live process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
}

/** CPU seconds used so far by every process whose command name is `name` (all PostgreSQL processes:
 * on a shared machine that includes other clients' queries, so it is an upper bound). */
function cpuOfCommand(name: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name) total += cpuSeconds(Number(pid));
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

async function startWorkers(n: number, env: NodeJS.ProcessEnv): Promise<Worker[]> {
  const workers = Array.from({ length: n }, (_, i) => startWorker(`bench-w${i + 1}`, env));
  const deadline = Date.now() + 60_000;
  while (!workers.every((w) => w.output().includes('Worker schedule:'))) {
    for (const w of workers) if (w.child.exitCode !== null) throw new Error(`${w.id} exited:\n${w.output()}`);
    if (Date.now() > deadline) throw new Error(`workers did not start:\n${workers.map((w) => w.output()).join('\n')}`);
    await sleep(100);
  }
  return workers;
}

async function stopWorkers(workers: Worker[]): Promise<void> {
  for (const w of workers) w.child.kill('SIGTERM');
  const codes = await Promise.all(workers.map((w) => w.exited));
  codes.forEach((c, i) => {
    if (c !== 0) console.warn(`  ${workers[i]!.id} exited with ${c}:\n${workers[i]!.output().slice(-2000)}`);
  });
}

/** Throws (with the workers' logs) when the sent count has not moved for a minute. */
function stallGuard(workers: Worker[]): (sent: number) => void {
  let last = -1;
  let since = Date.now();
  return (sent) => {
    if (sent !== last) {
      last = sent;
      since = Date.now();
    } else if (Date.now() - since > 60_000) {
      throw new Error(`no progress for 60 s at ${sent} sent:\n${workers.map((w) => `--- ${w.id}\n${w.output().slice(-3000)}`).join('\n')}`);
    }
  };
}

async function importSubscribers(store: PostgresStore, n: number, tag: string): Promise<void> {
  const chunk = 50_000;
  for (let i = 0; i < n; i += chunk) {
    const rows = Array.from({ length: Math.min(chunk, n - i) }, (_, j) => ({ email: `${tag}${i + j}@bench.example.org` }));
    await store.importSubscribers(rows);
  }
}

async function main() {
  rmSync(work, { recursive: true, force: true });
  const issuesDir = path.join(work, 'issues');
  mkdirSync(issuesDir, { recursive: true });
  const configFile = path.join(work, 'pressroom.config.json');
  writeFileSync(configFile, JSON.stringify({ smtp: { maxConnections: CONNECTIONS }, email: { fromAddress: 'news@bench.example.org', templatesDir: path.join(root, 'emails') } }));
  const sink = await startSink();
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  console.log(
    `bench/scale on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`PostgreSQL ${BASE_URL}, smtp-sink 127.0.0.1:${PORT}, ${CONNECTIONS} SMTP connections per worker, issue ${path.basename(corpusIssue)}`);
  try {
    // ---- Part 1: 1, 2, 4 workers, RECIPIENTS each --------------------------------------------
    const schema = `${prefix}_a`;
    schemas.push(schema);
    const store = new PostgresStore(urlFor(schema), { max: 4 });
    await store.migrate();
    let t = performance.now();
    await importSubscribers(store, RECIPIENTS, 'r');
    console.log(`imported ${RECIPIENTS} subscribers in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: urlFor(schema),
      SMTP_URL: `smtp://127.0.0.1:${PORT}`,
      PRESSROOM_CONFIG: configFile,
      PRESSROOM_ISSUES_DIR: issuesDir,
      PRESSROOM_SECRET: 'bench-secret-0123456789abcdef',
      PRESSROOM_SCHEDULE: '* * * * * *',
      PRESSROOM_LOG_LEVEL: 'warn',
    };
    const results: Array<{ workers: number; seconds: number; rate: number; rss: number[]; shares: number[] }> = [];
    for (const n of [1, 2, 4]) {
      const slug = `scale-${n}w`;
      writeIssue(issuesDir, slug);
      const workers = await startWorkers(n, env);
      const cpuBefore = workers.reduce((sum, w) => sum + cpuSeconds(w.child.pid!), 0);
      const pgBefore = cpuOfCommand('postgres');
      const sinkBefore = cpuSeconds(sink.pid!);
      const { campaign } = await store.createCampaign({ slug, title: slug, topics: [] });
      let stats = await store.campaignStats(campaign.id);
      const stalled = stallGuard(workers);
      while (!stats.finishedAt) {
        for (const w of workers) if (w.child.exitCode !== null) throw new Error(`${w.id} died:\n${w.output()}`);
        await sleep(500);
        stats = await store.campaignStats(campaign.id);
        stalled(stats.sent);
      }
      const rss = workers.map((w) => peakRssMb(w.child.pid!));
      const cpu = workers.reduce((sum, w) => sum + cpuSeconds(w.child.pid!), 0) - cpuBefore;
      const pgCpu = cpuOfCommand('postgres') - pgBefore;
      const sinkCpu = cpuSeconds(sink.pid!) - sinkBefore;
      await stopWorkers(workers);
      const seconds = (Date.parse(stats.finishedAt) - Date.parse(stats.startedAt!)) / 1000;
      const shares = (await store.workerStats(campaign.id)).map((w) => w.sent);
      if (stats.sent !== RECIPIENTS) throw new Error(`${slug}: ${stats.sent} sent of ${RECIPIENTS} (failed ${stats.failed})`);
      results.push({ workers: n, seconds, rate: RECIPIENTS / seconds, rss, shares });
      const base = results[0]!.rate;
      console.log(
        `${n} worker${n > 1 ? 's' : ' '}: ${RECIPIENTS} sent in ${seconds.toFixed(1)} s = ${(RECIPIENTS / seconds).toFixed(0)} msg/s, ` +
          `x${(RECIPIENTS / seconds / base).toFixed(2)} vs 1 worker; per worker sent ${shares.join('/')}, peak RSS ${rss.map((r) => r.toFixed(0)).join('/')} MB; ` +
          `CPU per message: workers ${((cpu / RECIPIENTS) * 1000).toFixed(2)} ms, PostgreSQL ${((pgCpu / RECIPIENTS) * 1000).toFixed(2)} ms, ` +
          `smtp-sink ${((sinkCpu / RECIPIENTS) * 1000).toFixed(2)} ms (cores busy: ${((cpu + pgCpu + sinkCpu) / seconds).toFixed(2)} of ${os.cpus().length}); ` +
          `load ${os.loadavg()[0]!.toFixed(1)}`,
      );
    }
    await store.close();

    // ---- Part 2: QUEUED recipients queued, 4 workers, peak RSS --------------------------------
    if (QUEUED > 0) {
      const big = `${prefix}_b`;
      schemas.push(big);
      const bigStore = new PostgresStore(urlFor(big), { max: 4 });
      await bigStore.migrate();
      t = performance.now();
      await importSubscribers(bigStore, QUEUED, 'q');
      const slug = 'scale-queued';
      writeIssue(issuesDir, slug);
      const { campaign } = await bigStore.createCampaign({ slug, title: slug, topics: [] });
      console.log(`queued ${campaign.recipients} recipients (import + snapshot ${((performance.now() - t) / 1000).toFixed(0)} s)`);
      const workers = await startWorkers(4, { ...env, DATABASE_URL: urlFor(big) });
      const started = performance.now();
      let sent = 0;
      const stalled = stallGuard(workers);
      while (sent < STOP_AFTER) {
        for (const w of workers) if (w.child.exitCode !== null) throw new Error(`${w.id} died:\n${w.output()}`);
        await sleep(500);
        sent = (await bigStore.campaignStats(campaign.id)).sent;
        stalled(sent);
      }
      const seconds = (performance.now() - started) / 1000;
      const rss = workers.map((w) => peakRssMb(w.child.pid!));
      await stopWorkers(workers);
      const after = await bigStore.campaignStats(campaign.id);
      console.log(
        `1M queue: 4 workers sent ${after.sent} of ${campaign.recipients} in ${seconds.toFixed(0)} s (${(after.sent / seconds).toFixed(0)} msg/s), ` +
          `then SIGTERM (sending ${after.sending} left claimed); peak RSS per worker ${rss.map((r) => r.toFixed(0)).join('/')} MB`,
      );
      await bigStore.close();
    }
  } finally {
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).catch(() => {});
    await admin.end();
    sink.kill();
  }
}

await main();
