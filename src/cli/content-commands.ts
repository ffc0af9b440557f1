// `pressroom check` and `pressroom build`: the content half of the operator contract.
import type { Command } from 'commander';
import { formatProblem, isPublished, type Issue, type Problem } from '../content/issue.js';
import { sendTimeOf, whyNeverEmailed } from '../domain/publication.js';
import { configFrom } from './common.js';

const NO_CACHE = '--no-cache';
const NO_CACHE_HELP = 'render every issue again, without reading or writing the render cache (<dataDir>/cache/issues.bin)';

export function registerContentCommands(program: Command): void {
  program
    .command('check')
    .description('validate every issue file and print every problem; exit 1 if any')
    .option('--issues <dir>', 'issues folder (default ./issues or PRESSROOM_ISSUES_DIR)')
    .option('--config <file>', 'configuration file (default ./pressroom.config.json or PRESSROOM_CONFIG)')
    .option(NO_CACHE, NO_CACHE_HELP)
    .action(async (options: { issues?: string; config?: string; cache: boolean }) => {
      const config = await configFrom(options);
      const [{ loadIssues }, { bundleFiles }] = await Promise.all([import('../content/load.js'), import('../build/bundles.js')]);
      const { issues, problems, warnings } = await loadIssues(config, { cache: options.cache });
      printProblems(problems);
      printWarnings(warnings);
      // Not problems: the issue is fine, those files just stay out of the site (exit status unchanged).
      printSkipped((await bundleFiles(config, issues)).skipped);
      const now = Date.now();
      const published = issues.filter((issue) => isPublished(issue, now)).length;
      const drafts = issues.filter((issue) => issue.draft).length;
      const scheduled = issues.length - published - drafts;
      const mailLater = emailedLater(issues, now);
      console.log(
        `${issues.length} valid issue${issues.length === 1 ? '' : 's'} (${published} published, ${scheduled} scheduled, ${drafts} draft${drafts === 1 ? '' : 's'}` +
          `${mailLater > 0 ? `, ${mailLater} published and emailed later at send_at` : ''}), ` +
          `${problems.length} problem${problems.length === 1 ? '' : 's'}`,
      );
      if (problems.length > 0) process.exitCode = 1;
    });

  program
    .command('build')
    .description('write the feeds and the web archive of every published issue; bad files are skipped and reported')
    .option('--issues <dir>', 'issues folder (default ./issues or PRESSROOM_ISSUES_DIR)')
    .option('--out <dir>', 'output folder (default ./public or PRESSROOM_OUT_DIR)')
    .option('--site-url <url>', 'absolute URL the site is served from (or PRESSROOM_SITE_URL)')
    .option('--config <file>', 'configuration file (default ./pressroom.config.json or PRESSROOM_CONFIG)')
    .option(NO_CACHE, NO_CACHE_HELP)
    .action(async (options: { issues?: string; out?: string; siteUrl?: string; config?: string; cache: boolean }) => {
      const config = await configFrom(options);
      const [{ loadIssues }, { buildSite }] = await Promise.all([import('../content/load.js'), import('../build/site.js')]);
      const { issues, problems, warnings } = await loadIssues(config, { cache: options.cache });
      printProblems(problems);
      printWarnings(warnings);
      const published = issues.filter((issue) => isPublished(issue));
      const { files, skipped, warnings: cacheWarnings, changedFeeds } = await buildSite(config, issues, { cache: options.cache });
      printSkipped(skipped);
      printWarnings(cacheWarnings);
      console.log(`built ${published.length} issue${published.length === 1 ? '' : 's'} into ${config.outDir} (${files.length} files)`);
      const hubs = config.feeds.websubHubs;
      if (hubs.length > 0 && changedFeeds.length > 0) {
        // After the build is written: a hub that fails costs a warning, never the build's exit code.
        const { pingHubs } = await import('../feeds/websub.js');
        const log = {
          info: (f: { hub?: string; feed?: string }) => console.log(`websub: told ${f.hub} that ${f.feed} changed`),
          warn: (f: { hub?: string; feed?: string; error?: string }) =>
            console.error(`websub: ${f.hub} was not told that ${f.feed} changed (${f.error}); readers will see it at their next poll`),
        };
        await pingHubs(hubs, changedFeeds, log, { attempts: 3, retryDelayMs: 1000 });
      }
      if (problems.length > 0) {
        console.log(`skipped ${problems.length} problem${problems.length === 1 ? '' : 's'} (see above); run pressroom check for details`);
        process.exitCode = 1;
      }
    });
}

/** Published issues whose `send_at` has not come: on the web now, in the inbox later. */
function emailedLater(issues: Issue[], now: number): number {
  return issues.filter((issue) => isPublished(issue, now) && whyNeverEmailed(issue) === null && sendTimeOf(issue) > now).length;
}

export function printProblems(problems: Problem[]): void {
  for (const problem of problems) console.error(formatProblem(problem));
}

function printSkipped(lines: string[]): void {
  for (const line of lines) console.error(line);
}

/** Warnings do not change the exit code. */
function printWarnings(warnings: Problem[]): void {
  for (const warning of warnings) console.error(`warning: ${formatProblem(warning)}`);
}
