// Helpers shared by the CLI commands. Every module a command needs is imported when that command
// runs, not when it is registered: `pressroom --help` registers them all and loads none of it.
import type { Config, ConfigOverrides } from '../config/config.js';
import type { Issue } from '../content/issue.js';

/** A mistake in how the command was called; exits with code 2. */
export class UsageError extends Error {}

/** Options every command accepts, so `--config` works everywhere. */
export interface CommonOptions {
  config?: string;
}

export async function configFrom(options: CommonOptions & ConfigOverrides): Promise<Config> {
  const { loadConfig } = await import('../config/config.js');
  return loadConfig(options);
}

/** The valid issue a command's SLUG argument names; an unknown slug is a usage error (exit 2) for every command. */
export async function issueFor(config: Config, slug: string): Promise<Issue> {
  const { findIssue, loadIssues } = await import('../content/load.js');
  const { issues } = await loadIssues(config);
  const issue = findIssue(issues, slug);
  if (!issue) throw new UsageError(`no valid issue with slug "${slug}" in ${config.issuesDir} (run pressroom check)`);
  return issue;
}
