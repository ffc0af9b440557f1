// Child-process helpers for the scale-out tests: run `node bin/pressroom.js ...` with a given
// environment, collect its output, and wait for conditions with a deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { cliPath, projectRoot } from '../support/paths.js';

export interface Child {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv, cwd = projectRoot): Child {
  const child = spawn(process.execPath, [cliPath, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { child, exited, output: () => out };
}

/** Runs a CLI command to completion. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, cwd = projectRoot): Promise<{ code: number | null; output: string }> {
  const c = startCli(args, env, cwd);
  const code = await c.exited;
  return { code, output: c.output() };
}

/** Polls `check` every `everyMs` until it holds; fails with `describe()` after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs: number,
  describe: () => string = () => '',
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${describe()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
