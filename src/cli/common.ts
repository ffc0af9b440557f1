// Helpers shared by the CLI commands.
import { loadConfig, type Config, type ConfigOverrides } from '../config/config.js';

/** A mistake in how the command was called; exits with code 2. */
export class UsageError extends Error {}

/** Options every command accepts, so `--config` works everywhere. */
export interface CommonOptions {
  config?: string;
}

export function configFrom(options: CommonOptions & ConfigOverrides): Config {
  return loadConfig(options);
}
