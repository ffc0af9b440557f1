// Helpers shared by the CLI commands.
import { loadConfig, type Config, type ConfigOverrides } from '../config/config.js';
import type { Issue } from '../content/issue.js';
import { findIssue, loadIssues } from '../content/load.js';

/** A mistake in how the command was called; exits with code 2. */
export class UsageError extends Error {}

/** Options every command accepts, so `--config` works everywhere. */
export interface CommonOptions {
  config?: string;
}

export function configFrom(options: CommonOptions & ConfigOverrides): Config {
  return loadConfig(options);
}

/** The valid issue a command's SLUG argument names; an unknown slug is a usage error (exit 2) for every command. */
export async function issueFor(config: Config, slug: string): Promise<Issue> {
  const { issues } = await loadIssues(config);
  const issue = findIssue(issues, slug);
  if (!issue) throw new UsageError(`no valid issue with slug "${slug}" in ${config.issuesDir} (run pressroom check)`);
  return issue;
}
