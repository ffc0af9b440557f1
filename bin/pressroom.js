#!/usr/bin/env node
// Runs the TypeScript sources directly (through tsx), so a fresh clone works right after `npm ci`
// with no build step and the CLI never runs stale compiled code.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
