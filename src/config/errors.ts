/** A setting is missing, malformed or contradicts another; the CLI prints the one line and exits 2. */
export class ConfigError extends Error {}
