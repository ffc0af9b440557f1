// One measured build, run by bench/build.ts in its own process so its peak memory is its own:
//   node bench/build-child.mjs DIST_DIR ISSUES_DIR OUT_DIR DATA_DIR [THREADS]
// DIST_DIR: the compiled Pressroom to measure (this checkout's dist/, or an older checkout's).
// DATA_DIR: the data folder (where the render cache lives; an older build ignores it).
// THREADS: loadIssues' thread count; default: its own choice, every core for big folders.
// Prints one JSON line: issue count, problems, load and build milliseconds, files, maxRSS.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, issuesDir, outDir, dataDir, threads] = process.argv.slice(2);
if (!dist || !issuesDir || !outDir || !dataDir) {
  console.error('usage: build-child.mjs DIST_DIR ISSUES_DIR OUT_DIR DATA_DIR [THREADS]');
  process.exit(2);
}
const from = (file) => import(pathToFileURL(path.join(dist, file)).href);
const [{ buildSite }, { defaultConfig }, { loadIssues }] = await Promise.all([from('build/site.js'), from('config/config.js'), from('content/load.js')]);
const config = defaultConfig();
config.issuesDir = issuesDir;
config.outDir = outDir;
config.dataDir = dataDir;
config.site = { ...config.site, title: 'SOFA Weekly', url: 'https://news.example.org/', language: 'zh-CN', timeZone: 'Asia/Shanghai' };

const t0 = performance.now();
const { issues, problems } = await loadIssues(config, { cache: true, ...(threads ? { threads: Number(threads) } : {}) });
const t1 = performance.now();
const { files } = await buildSite(config, issues, { cache: true });
const t2 = performance.now();
console.log(
  JSON.stringify({
    issues: issues.length,
    problems: problems.length,
    loadMs: Math.round(t1 - t0),
    buildMs: Math.round(t2 - t1),
    files: files.length,
    pages: files.filter((f) => f.startsWith('issues/')).length,
    maxRssKb: process.resourceUsage().maxRSS,
  }),
);
