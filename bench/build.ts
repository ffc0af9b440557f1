// Build benchmark: Pressroom vs Hugo on the same issue files.
//   npm run build && npx tsx bench/build.ts [--sizes 1000,10000] [--runs 3] [--one-thread-too] [--dist DIR]
// Makes N issues by cloning ../shared/corpus/sofa-weekly with new slugs and dates into
// bench/.work/build/, then for each size runs (each in its own child process, output folder
// deleted first, so every run is a full cold build):
//   - Pressroom: loadIssues + buildSite of the compiled code (bench/build-child.mjs, --dist: an
//     older checkout's dist/ for a before/after), all feeds, topic feeds, archive; cold: no output
//     folder and no render cache;
//   - Hugo: a minimal site whose output is its RSS (20 items) + one HTML page per issue;
//   - then incremental: one more issue (the newest) added to the folder, Pressroom builds again
//     over the output and cache of its cold build; printed with its ratio to the cold build.
// Wall time is measured around the child process (startup included for both); peak memory is
// the child's max RSS from /usr/bin/time. Prints the median of the runs and the ratio.
// --one-thread-too also runs Pressroom with loadIssues({ threads: 0 }) in each round (the
// loader without worker threads), for an A/B under the same machine load.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const CORPUS = path.resolve(ROOT, '../shared/corpus/sofa-weekly');
const WORK = path.join(ROOT, 'bench/.work/build');

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const SIZES = flag('--sizes', '1000,10000').split(',').map(Number);
const RUNS = Number(flag('--runs', '3'));
const ONE_THREAD_TOO = args.includes('--one-thread-too');
const DIST = path.resolve(flag('--dist', path.join(ROOT, 'dist')));

interface Measured {
  wallMs: number;
  /** User + system CPU time of the child (all its threads), from /usr/bin/time. */
  cpuMs: number;
  maxRssKb: number;
  stdout: string;
}

/** Runs a command under /usr/bin/time, returning wall time (ms), CPU time (ms) and peak RSS (KB). */
function measure(cmd: string, cmdArgs: string[], cwd: string): Measured {
  const timeFile = path.join(WORK, 'time.txt');
  const start = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, cmd, ...cmdArgs], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallMs = performance.now() - start;
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const [rss, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wallMs, cpuMs: (user! + sys!) * 1000, maxRssKb: rss!, stdout: r.stdout };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pad = (n: number, w = 5) => String(n).padStart(w, '0');

/** Clones the corpus into dir as n issue files with slugs bench-00000.. and dates 6 h apart. */
function makeIssues(dir: string, n: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sources = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.md'))
    .sort();
  const texts = sources.map((f) => readFileSync(path.join(CORPUS, f), 'utf8'));
  const base = Date.UTC(2012, 0, 1, 1, 0, 0); // 09:00 +08:00
  for (let i = 0; i < n; i++) {
    const text = texts[i % texts.length]!;
    const local = new Date(base + i * 6 * 3600_000 + 8 * 3600_000).toISOString().slice(0, 19);
    const slug = `bench-${pad(i)}`;
    const out = text.replace(/^---\r?\n/, `---\nslug: ${slug}\n`).replace(/^date:.*$/m, `date: ${local}+08:00`);
    if (!out.includes(`slug: ${slug}`) || !out.includes(`date: ${local}+08:00`)) {
      throw new Error(`${sources[i % texts.length]}: could not set slug/date in its front matter`);
    }
    writeFileSync(path.join(dir, `${slug}.md`), out);
  }
}

const HUGO_CONFIG = `baseURL = "https://news.example.org/"
languageCode = "zh-CN"
title = "SOFA Weekly"
disableKinds = ["taxonomy", "term", "section", "sitemap", "robotsTXT", "404"]
[outputs]
  home = ["RSS"]
  page = ["HTML"]
[services.rss]
  limit = 20
`;

const HUGO_SINGLE = `<!doctype html>
<html lang="{{ site.LanguageCode }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ site.Title }}</title></head>
<body><h1>{{ .Title }}</h1><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2006-01-02" }}</time>
{{ with .Params.tags }}<ul>{{ range . }}<li>{{ . }}</li>{{ end }}</ul>{{ end }}
{{ with .Params.cover }}<img src="{{ . }}" alt="">{{ end }}
{{ .Content }}
<nav>{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
</body></html>
`;

function makeHugoSite(dir: string, issuesDir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'layouts/_default'), { recursive: true });
  writeFileSync(path.join(dir, 'config.toml'), HUGO_CONFIG);
  writeFileSync(path.join(dir, 'layouts/_default/single.html'), HUGO_SINGLE);
  cpSync(issuesDir, path.join(dir, 'content/issues'), { recursive: true });
}

function countPages(dir: string): number {
  const issues = path.join(dir, 'issues');
  if (!existsSync(issues)) return 0;
  return readdirSync(issues).filter((d) => existsSync(path.join(issues, d, 'index.html'))).length;
}

mkdirSync(WORK, { recursive: true });
const hugoVersion = spawnSync('hugo', ['version'], { encoding: 'utf8' }).stdout.trim();
console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${hugoVersion}`);
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
console.log(`runs per size: ${RUNS} (medians shown); load average at start: ${load()}\n`);

for (const n of SIZES) {
  const issuesDir = path.join(WORK, `issues-${n}`);
  const outDir = path.join(WORK, `out-${n}`);
  const hugoDir = path.join(WORK, `hugo-${n}`);
  const dataDir = path.join(WORK, `data-${n}`);
  makeIssues(issuesDir, n);
  makeHugoSite(hugoDir, issuesDir);
  // The issue the incremental build adds: one more clone, dated after all the others.
  makeIssues(path.join(WORK, 'extra'), n + 1);
  const extraName = `bench-${pad(n)}.md`;
  const extraText = readFileSync(path.join(WORK, 'extra', extraName));
  rmSync(path.join(WORK, 'extra'), { recursive: true, force: true });

  type Ours = Measured & { child: Record<string, number> };
  const pressroom = (threads?: number, expected = n, cold = true): Ours => {
    if (cold) {
      rmSync(outDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    }
    const m = measure(process.execPath, ['bench/build-child.mjs', DIST, issuesDir, outDir, dataDir, ...(threads !== undefined ? [String(threads)] : [])], ROOT);
    const child = JSON.parse(m.stdout.trim().split('\n').pop()!);
    if (child.issues !== expected || child.problems !== 0 || child.pages !== expected) {
      throw new Error(`pressroom built ${child.pages} pages from ${child.issues} issues with ${child.problems} problems, expected ${expected}`);
    }
    return { ...m, child };
  };
  /** A cold build of n issues, then one issue added and an incremental build; the folder is n issues again after. */
  const incremental = (): { cold: Ours; warm: Ours } => {
    const cold = pressroom();
    writeFileSync(path.join(issuesDir, extraName), extraText);
    try {
      return { cold, warm: pressroom(undefined, n + 1, false) };
    } finally {
      rmSync(path.join(issuesDir, extraName));
    }
  };
  const ours: Ours[] = [];
  const oneThread: Ours[] = [];
  const hugo: Measured[] = [];
  const added: { cold: Ours; warm: Ours }[] = [];
  for (let run = 0; run < RUNS; run++) {
    ours.push(pressroom());
    added.push(incremental());
    if (ONE_THREAD_TOO) oneThread.push(pressroom(0));

    rmSync(path.join(hugoDir, 'public'), { recursive: true, force: true });
    hugo.push(measure('hugo', ['--quiet', '--source', hugoDir], ROOT));
    const hugoPages = countPages(path.join(hugoDir, 'public'));
    if (hugoPages !== n) throw new Error(`hugo built ${hugoPages} issue pages, expected ${n}`);
  }

  const ourWall = median(ours.map((m) => m.wallMs));
  const hugoWall = median(hugo.map((m) => m.wallMs));
  const line =
    `${String(n).padStart(6)} issues | pressroom ${(ourWall / 1000).toFixed(2)} s ` +
    `(load ${(median(ours.map((m) => m.child.loadMs!)) / 1000).toFixed(2)} s + build ${(median(ours.map((m) => m.child.buildMs!)) / 1000).toFixed(2)} s), ` +
    `cpu ${(median(ours.map((m) => m.cpuMs)) / 1000).toFixed(2)} s, ` +
    `peak ${Math.round(median(ours.map((m) => m.maxRssKb)) / 1024)} MB, ${ours[0]!.child.files} files | ` +
    `hugo ${(hugoWall / 1000).toFixed(2)} s, cpu ${(median(hugo.map((m) => m.cpuMs)) / 1000).toFixed(2)} s, peak ${Math.round(median(hugo.map((m) => m.maxRssKb)) / 1024)} MB | ` +
    `pressroom/hugo wall ${(ourWall / hugoWall).toFixed(2)}x, cpu ${(median(ours.map((m) => m.cpuMs)) / median(hugo.map((m) => m.cpuMs))).toFixed(2)}x`;
  console.log(line);
  const coldWall = median(added.map((a) => a.cold.wallMs));
  const warmWall = median(added.map((a) => a.warm.wallMs));
  console.log(
    `${' '.repeat(6)}        one issue added: cold build ${(coldWall / 1000).toFixed(2)} s, then incremental ${(warmWall / 1000).toFixed(2)} s ` +
      `(load ${(median(added.map((a) => a.warm.child.loadMs!)) / 1000).toFixed(2)} s + build ${(median(added.map((a) => a.warm.child.buildMs!)) / 1000).toFixed(2)} s), ` +
      `cpu ${(median(added.map((a) => a.warm.cpuMs)) / 1000).toFixed(2)} s, peak ${Math.round(median(added.map((a) => a.warm.maxRssKb)) / 1024)} MB | ` +
      `incremental/cold wall ${(warmWall / coldWall).toFixed(3)}x (median of per-run ratios ${median(added.map((a) => a.warm.wallMs / a.cold.wallMs)).toFixed(3)}x)`,
  );
  if (ONE_THREAD_TOO) {
    const wall = median(oneThread.map((m) => m.wallMs));
    console.log(
      `${' '.repeat(6)}        one thread: ${(wall / 1000).toFixed(2)} s (load ${(median(oneThread.map((m) => m.child.loadMs!)) / 1000).toFixed(2)} s), ` +
        `cpu ${(median(oneThread.map((m) => m.cpuMs)) / 1000).toFixed(2)} s, peak ${Math.round(median(oneThread.map((m) => m.maxRssKb)) / 1024)} MB | ` +
        `default/one thread wall ${(ourWall / wall).toFixed(2)}x; one thread/hugo wall ${(wall / hugoWall).toFixed(2)}x`,
    );
  }
  if (process.env.BENCH_VERBOSE) {
    for (const [i, m] of ours.entries()) {
      const one = oneThread[i] ? ` | one thread ${(oneThread[i]!.wallMs / 1000).toFixed(2)} s wall, ${(oneThread[i]!.cpuMs / 1000).toFixed(2)} s cpu` : '';
      console.log(
        `  run ${i + 1}: pressroom ${(m.wallMs / 1000).toFixed(2)} s wall, ${(m.cpuMs / 1000).toFixed(2)} s cpu${one} | hugo ${(hugo[i]!.wallMs / 1000).toFixed(2)} s wall, ${(hugo[i]!.cpuMs / 1000).toFixed(2)} s cpu`,
      );
    }
  }
}
console.log(`\nload average at end: ${load()}`);
