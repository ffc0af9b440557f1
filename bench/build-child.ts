// One measured build, run by bench/build.ts in its own process so its peak memory is its own:
//   node --import tsx bench/build-child.ts ISSUES_DIR OUT_DIR [THREADS]
// (THREADS: loadIssues' thread count; default: its own choice, every core for big folders)
// Prints one JSON line: issue count, problems, load and build milliseconds, files, maxRSS.
import { buildSite } from '../src/build/site.js';
import { defaultConfig } from '../src/config/config.js';
import { loadIssues } from '../src/content/load.js';

const [issuesDir, outDir, threads] = process.argv.slice(2);
if (!issuesDir || !outDir) {
  console.error('usage: build-child.ts ISSUES_DIR OUT_DIR');
  process.exit(2);
}
const config = defaultConfig();
config.issuesDir = issuesDir;
config.outDir = outDir;
config.site = { ...config.site, title: 'SOFA Weekly', url: 'https://news.example.org/', language: 'zh-CN', timeZone: 'Asia/Shanghai' };

const t0 = performance.now();
const { issues, problems } = await loadIssues(config, threads ? { threads: Number(threads) } : {});
const t1 = performance.now();
const { files } = await buildSite(config, issues);
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
