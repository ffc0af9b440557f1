// The secret that signs unsubscribe/preferences/confirm tokens. Operators set `secret` in the
// config (or PRESSROOM_SECRET); for development a random one is generated once and kept in
// <dataDir>/secret so links in already-sent mail keep working across restarts.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { checkSecret } from './checks.js';
import { ConfigError } from './config.js';

export function resolveSecret(config: Config): string {
  const existing = existingSecret(config);
  if (existing !== null) return existing;
  const file = path.join(config.dataDir, 'secret');
  mkdirSync(config.dataDir, { recursive: true });
  const fresh = randomBytes(32).toString('hex');
  try {
    // 'wx' fails if another process created it meanwhile; then use theirs.
    writeFileSync(file, `${fresh}\n`, { mode: 0o600, flag: 'wx' });
    return fresh;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readIfExists(file)!;
    throw err;
  }
}

/**
 * The configured secret, or the one kept in <dataDir>/secret; null when there is neither. For a
 * reader of what was signed before (the inbound receiver): a fresh secret would verify nothing.
 */
export function existingSecret(config: Config): string | null {
  if (config.secret !== undefined && config.secret !== '') {
    checkSecret(config.secret, 'secret'); // as the configuration checked it when it loaded
    return config.secret;
  }
  const file = path.join(config.dataDir, 'secret');
  const existing = readIfExists(file);
  if (existing === undefined) return null;
  if (existing.length < 16) throw new ConfigError(`${file}: secret is shorter than 16 characters`);
  return existing;
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
