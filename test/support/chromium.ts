// Real headless Chromium (Debian package `chromium`) for page tests. Without it the suites are
// skipped locally and fail when CI=true, so CI never passes by skipping them.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describe } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';

// The background-networking flags keep Chromium from calling out: this machine has no network.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const describeWithChromium = existsSync(CHROMIUM) || process.env.CI === 'true' ? describe : describe.skip;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (Debian package chromium); page tests need it when CI=true`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}
