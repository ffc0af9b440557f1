// bench/startup: how fast `pressroom` starts, against bare `node -e 0` in the same run.
//   npx tsx bench/startup.ts [--runs 5] [--bin LABEL=path/to/bin/pressroom.js ...]
// Per command, the median of --runs runs (interleaved, so every command sees the same load):
// wall time and peak RSS of `node -e 0`, `pressroom --help` and `pressroom check` of the corpus
// (192 issues), then `pressroom start` in a fresh folder: time from spawn to the first 200 on
// /healthz, its RSS once idle (3 s later) and its peak, and the exit after SIGTERM. Several --bin
// give columns side by side (e.g. an older checkout's bin, run the way it runs: through tsx);
// the default is this checkout's bin, compiled first (npm run build).
// Peak RSS of the short commands comes from GNU time (/usr/bin/time, Debian package `time`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = path.resolve(import.meta.dirname, '..');
const CORPUS = path.resolve(ROOT, '../shared/corpus/sofa-weekly');
const GNU_TIME = '/usr/bin/time';
const IDLE_WAIT_MS = 3000;

const args = process.argv.slice(2);
const runs = Number(readValue('--runs') ?? 5);
const bins = args
  .flatMap((arg, i) => (arg === '--bin' ? [args[i + 1]!] : []))
  .map((spec) => {
    const [label, file] = spec.includes('=') ? spec.split(/=(.*)/s) : [spec, spec];
    return { label: label!, file: path.resolve(file!) };
  });
if (bins.length === 0) {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) process.exit(2);
  bins.push({ label: 'this checkout', file: path.join(ROOT, 'bin/pressroom.js') });
}
for (const { file } of bins) if (!existsSync(file)) fail(`${file}: no such file`);
if (!existsSync(GNU_TIME)) fail(`${GNU_TIME} is missing (Debian package time): it measures the peak RSS`);
if (!existsSync(CORPUS)) fail(`${CORPUS}: the corpus is missing`);

function readValue(flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

function fail(message: string): never {
  console.error(`bench/startup: ${message}`);
  process.exit(2);
}

interface Figure {
  wallMs: number;
  rssMb: number;
}

/** An environment without the developer's Pressroom settings, so every run starts on defaults. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PRESSROOM_') && k !== 'SMTP_URL' && k !== 'DATABASE_URL') env[k] = v;
  return { ...env, ...extra };
}

/** One short command under GNU time: our own wall clock, its peak RSS. */
function short(argv: string[], cwd: string, env: Record<string, string> = {}): Figure {
  const started = performance.now();
  const r = spawnSync(GNU_TIME, ['-f', '%M', process.execPath, ...argv], { cwd, env: { ...cleanEnv(), ...env }, encoding: 'utf8' });
  const wallMs = performance.now() - started;
  if (r.status !== 0) fail(`node ${argv.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  const kb = Number(r.stderr.trim().split('\n').at(-1));
  return { wallMs, rssMb: kb / 1024 };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Number(line?.replace(/\D+/g, '') ?? NaN) / 1024;
}

interface StartFigure {
  firstOkMs: number;
  idleRssMb: number;
  peakRssMb: number;
  stopMs: number;
  exitCode: number | null;
}

/** `pressroom start` in a fresh folder: spawn -> first 200 on /healthz, idle RSS, SIGTERM -> exit. */
async function start(bin: string): Promise<StartFigure> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pressroom-startup-'));
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'start', '--port', String(port)], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let firstOkMs = NaN;
  while (Number.isNaN(firstOkMs)) {
    if (child.exitCode !== null) fail(`start exited ${child.exitCode}: ${output.trim()}`);
    if (performance.now() - started > 30_000) fail(`start: no 200 on /healthz within 30 s: ${output.trim()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) firstOkMs = performance.now() - started;
    else await sleep(5);
  }
  await sleep(IDLE_WAIT_MS);
  const idleRssMb = procStatus(child.pid!, 'VmRSS');
  const peakRssMb = procStatus(child.pid!, 'VmHWM');
  const stopping = performance.now();
  child.kill('SIGTERM');
  const exitCode = await exited;
  const stopMs = performance.now() - stopping;
  rmSync(dir, { recursive: true, force: true });
  return { firstOkMs, idleRssMb, peakRssMb, stopMs, exitCode };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// Each column's `check` keeps its own render cache (<dataDir>/cache), warm after the first run:
// two builds sharing one data folder would each find the other's cache stale and render cold.
const checkData = bins.map(() => mkdtempSync(path.join(tmpdir(), 'pressroom-startup-check-')));
const bare: Figure[] = [];
const results = bins.map(() => ({ help: [] as Figure[], check: [] as Figure[], start: [] as StartFigure[] }));
for (let run = 0; run < runs; run++) {
  bare.push(short(['-e', '0'], ROOT));
  for (const [i, { file }] of bins.entries()) {
    results[i]!.help.push(short([file, '--help'], ROOT));
    results[i]!.check.push(short([file, 'check', '--issues', CORPUS], ROOT, { PRESSROOM_DATA_DIR: checkData[i]! }));
    results[i]!.start.push(await start(file));
  }
  process.stderr.write(`run ${run + 1}/${runs} done\n`);
}
for (const dir of checkData) rmSync(dir, { recursive: true, force: true });

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (v: number) => `${v.toFixed(0)} MB`;
const nodeWall = median(bare.map((f) => f.wallMs));
const rows: Array<[string, ...string[]]> = [['', ...bins.map((b) => b.label), 'goal']];
rows.push(['node -e 0: wall', ...bins.map(() => s(nodeWall)), '']);
rows.push(['node -e 0: peak RSS', ...bins.map(() => mb(median(bare.map((f) => f.rssMb)))), '']);
const per = (pick: (r: (typeof results)[number]) => number[], format: (v: number) => string) => results.map((r) => format(median(pick(r))));
rows.push(['--help: wall', ...per((r) => r.help.map((f) => f.wallMs), s), '']);
rows.push([
  '--help: wall - node',
  ...per(
    (r) => r.help.map((f) => f.wallMs - nodeWall),
    (v) => `+${s(v)}`,
  ),
  '<= +0.15 s',
]);
rows.push([
  '--help: wall / node',
  ...per(
    (r) => r.help.map((f) => f.wallMs / nodeWall),
    (v) => `${v.toFixed(1)}x`,
  ),
  '',
]);
rows.push(['--help: peak RSS', ...per((r) => r.help.map((f) => f.rssMb), mb), '< 60 MB']);
rows.push(['check (192 issues): wall', ...per((r) => r.check.map((f) => f.wallMs), s), '< 0.6 s']);
rows.push([
  'check: wall / node',
  ...per(
    (r) => r.check.map((f) => f.wallMs / nodeWall),
    (v) => `${v.toFixed(1)}x`,
  ),
  '',
]);
rows.push(['check: peak RSS', ...per((r) => r.check.map((f) => f.rssMb), mb), '']);
rows.push(['start -> first 200 /healthz', ...per((r) => r.start.map((f) => f.firstOkMs), s), '< 0.8 s']);
rows.push(['start: idle RSS (3 s after)', ...per((r) => r.start.map((f) => f.idleRssMb), mb), '< 100 MB']);
rows.push(['start: peak RSS', ...per((r) => r.start.map((f) => f.peakRssMb), mb), '']);
rows.push(['start: SIGTERM -> exit', ...per((r) => r.start.map((f) => f.stopMs), s), '']);
rows.push(['start: exit codes', ...results.map((r) => [...new Set(r.start.map((f) => f.exitCode))].join(',')), '0']);

console.log(`bench/startup: median of ${runs} runs, ${process.version}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
