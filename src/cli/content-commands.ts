// `pressroom check` and `pressroom build`: the content half of the operator contract.
import type { Command } from 'commander';
import type { Config } from '../config/config.js';
import { formatProblem, isPublished, type Issue, type Problem } from '../content/issue.js';
import { sendTimeOf, whyNeverEmailed } from '../domain/publication.js';
import { configFrom } from './common.js';

const NO_CACHE = '--no-cache';
const NO_CACHE_HELP = 'render every issue again, without reading or writing the render cache (<dataDir>/cache/issues.bin)';

export function registerContentCommands(program: Command): void {
  program
    .command('check')
    .description('validate every issue file and print every problem (exit 1 if any) and every preflight warning (exit 1 with --strict)')
    .option('--issues <dir>', 'issues folder (default ./issues or PRESSROOM_ISSUES_DIR)')
    .option('--config <file>', 'configuration file (default ./pressroom.config.json or PRESSROOM_CONFIG)')
    .option('--strict', 'preflight warnings fail the check too (exit 1)')
    .option('--no-preflight', 'validate only: no preflight warnings (subject, preheader, alt text, TODOs, links, removed content)')
    .option('--email', "also render every issue's email (loads MJML, about a second) and warn when its HTML is over Gmail's 102 KB clipping")
    .option(
      '--campaigns',
      'also hold the issues against the campaigns in the store (opens the database): an issue with a new slug but the date and title of a campaign is a renamed file',
    )
    .option(NO_CACHE, NO_CACHE_HELP)
    .action(async (options: { issues?: string; config?: string; cache: boolean; strict?: boolean; email?: boolean; preflight: boolean; campaigns?: boolean }) => {
      const config = await configFrom(options);
      const [{ loadIssues }, { bundleFiles }] = await Promise.all([import('../content/load.js'), import('../build/bundles.js')]);
      const { issues, problems, warnings } = await loadIssues(config, { cache: options.cache });
      const bundles = await bundleFiles(config, issues);
      const preflightWarnings = options.preflight ? await preflightOf(config, issues, bundles.publish.keys(), options.email === true) : [];
      if (options.campaigns) preflightWarnings.push(...(await renamedFiles(config, issues)));
      printProblems(problems);
      printWarnings(warnings);
      printWarnings(preflightWarnings);
      // Not problems: the issue is fine, those files just stay out of the site (exit status unchanged).
      printSkipped(bundles.skipped);
      const now = Date.now();
      const published = issues.filter((issue) => isPublished(issue, now)).length;
      const drafts = issues.filter((issue) => issue.draft).length;
      const scheduled = issues.length - published - drafts;
      const mailLater = emailedLater(issues, now);
      const preflightCount = preflightWarnings.length;
      console.log(
        `${issues.length} valid issue${issues.length === 1 ? '' : 's'} (${published} published, ${scheduled} scheduled, ${drafts} draft${drafts === 1 ? '' : 's'}` +
          `${mailLater > 0 ? `, ${mailLater} published and emailed later at send_at` : ''}), ` +
          `${problems.length} problem${problems.length === 1 ? '' : 's'}` +
          (preflightCount > 0 ? `, ${preflightCount} preflight warning${preflightCount === 1 ? '' : 's'}${options.strict ? ' (--strict: failed)' : ''}` : ''),
      );
      if (problems.length > 0 || (options.strict && preflightCount > 0)) process.exitCode = 1;
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

/**
 * The preflight warnings of every valid issue (src/content/preflight.ts), the links checked
 * against the site a build of every issue but the drafts would write; with `email`, also the size
 * of each email's HTML (MJML: loaded only then, so a plain `check` stays quick).
 */
async function preflightOf(config: Config, issues: Issue[], bundlePaths: Iterable<string>, email: boolean): Promise<Problem[]> {
  const [{ preflight, emailSizeProblem }, { siteOutputPaths }] = await Promise.all([import('../content/preflight.js'), import('../build/site-paths.js')]);
  const drafts = new Set(issues.filter((issue) => issue.draft).map((issue) => issue.slug));
  const inBuild = [...bundlePaths].filter((name) => !drafts.has(name.split('/')[1]!));
  const site = {
    paths: siteOutputPaths(config, issues, inBuild, Number.POSITIVE_INFINITY),
    dates: new Map(issues.filter((issue) => !issue.draft).map((issue) => [issue.slug, issue.date.epochMs])),
    drafts,
    now: Date.now(),
  };
  const warnings = issues.flatMap((issue) => preflight(issue, config, site));
  if (email) {
    const mailed = issues.filter((issue) => issue.email && !issue.draft);
    const { emailHtmlBytes } = await import('../email/email-size.js');
    const sizes = await emailHtmlBytes(config, mailed);
    mailed.forEach((issue, i) => {
      const problem = emailSizeProblem(issue, sizes[i]!);
      if (problem) warnings.push(problem);
    });
  }
  return warnings;
}

/** Published issues the worker holds back as renamed files of mailed ones (src/domain/renamed.ts). */
async function renamedFiles(config: Config, issues: Issue[]): Promise<Problem[]> {
  const [{ openStore }, { renamedFrom, renamedText }, { isEmailable }] = await Promise.all([
    import('../storage/open.js'),
    import('../domain/renamed.js'),
    import('../domain/publication.js'),
  ]);
  const store = await openStore(config);
  try {
    const campaigns = new Map((await store.listCampaigns()).map((campaign) => [campaign.slug, campaign]));
    const now = Date.now();
    return issues.flatMap((issue) => {
      const campaign = isEmailable(issue, now) ? renamedFrom(issue, campaigns) : undefined;
      return campaign ? [{ file: issue.sourcePath, field: 'slug', message: `"${issue.slug}" ${renamedText(issue, campaign)}` }] : [];
    });
  } finally {
    await store.close();
  }
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
