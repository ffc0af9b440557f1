// The one way tests run the real CLI: `node <cliPath> ...` in an environment of its own, where
// the developer's PRESSROOM_*, SMTP_URL and DATABASE_URL never leak into the command under test.
// runCli/execCli run a command to its end; startCli starts a long-running one (serve, start,
// worker, a send to interrupt) with its output captured, a readiness wait and a clean kill.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import path from 'node:path';
import { cliPath, projectRoot } from './paths.js';
import { waitFor, type WaitOptions } from './wait.js';

/** Variables a test sets for the CLI; `undefined` removes one from the environment. */
export type EnvOverrides = Record<string, string | undefined>;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliSite {
  dir: string;
  config: { dataDir: string };
}

export interface CliOptions {
  env?: EnvOverrides;
  cwd?: string;
  /** Another CLI entry than paths.ts `cliPath` (a test run against another build). */
  cli?: string;
  /** Node flags before the entry (--max-old-space-size=...). */
  nodeArgs?: string[];
  /** Like `| head -0`: the reading end is gone before the command writes its first line. */
  closeStdout?: boolean;
}

export interface CliProcess {
  child: ChildProcess;
  /** The exit code, or -1 when a signal ended the process (child.signalCode says which). */
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr in the order they arrived. */
  output(): string;
  hasExited(): boolean;
  /** Waits until the output matches (fails early, with the output, if the process exits). */
  waitForOutput(pattern: RegExp, options?: Omit<WaitOptions, 'alive'>): Promise<void>;
  /** Sends `signal` if the process still runs, and resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function isDeveloperSetting(name: string): boolean {
  return name.startsWith('PRESSROOM_') || name === 'SMTP_URL' || name === 'DATABASE_URL';
}

/** The environment of every spawned CLI: this process's minus the developer's Pressroom settings, plus `overrides`. */
export function cliEnv(overrides: EnvOverrides = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!isDeveloperSetting(k)) env[k] = v;
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** The variables that point the CLI at a test site (see site.ts). */
export function siteEnv(site: CliSite, logLevel = 'error'): Record<string, string> {
  return {
    PRESSROOM_CONFIG: path.join(site.dir, 'pressroom.config.json'),
    PRESSROOM_ISSUES_DIR: path.join(site.dir, 'issues'),
    PRESSROOM_DATA_DIR: site.config.dataDir,
    PRESSROOM_LOG_LEVEL: logLevel,
  };
}

/** The one command line: this Node binary, its flags, the CLI entry (paths.ts `cliPath`), the arguments. */
function commandLine(args: string[], options: CliOptions): string[] {
  return [...(options.nodeArgs ?? []), options.cli ?? cliPath, ...args];
}

export function startCli(args: string[], options: CliOptions = {}): CliProcess {
  const child = spawn(process.execPath, commandLine(args, options), {
    cwd: options.cwd ?? projectRoot,
    env: cliEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let output = '';
  if (options.closeStdout) child.stdout!.destroy();
  else
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d;
      output += d;
    });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d;
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const proc: CliProcess = {
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => output,
    hasExited,
    waitForOutput: async (pattern, wait = {}) => {
      await waitFor(() => pattern.test(output), { what: `output matching ${pattern}`, timeout: 30_000, ...wait, alive: proc });
    },
    stop(signal = 'SIGTERM') {
      if (!hasExited()) child.kill(signal);
      return exited;
    },
  };
  return proc;
}

/** Runs a CLI command to its end. */
export async function execCli(args: string[], options: CliOptions = {}): Promise<CliRun & { output: string }> {
  const proc = startCli(args, options);
  const code = await proc.exited;
  return { code, stdout: proc.stdout(), stderr: proc.stderr(), output: proc.output() };
}

/** Runs a CLI command to its end, blocking (for tests that assert on spawnSync's status/stdout/stderr). */
export function execCliSync(args: string[], options: Omit<CliOptions, 'closeStdout'> & { timeout?: number; maxBuffer?: number; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, commandLine(args, options), {
    input: options.input,
    cwd: options.cwd ?? projectRoot,
    env: cliEnv(options.env),
    encoding: 'utf8',
    timeout: options.timeout,
    maxBuffer: options.maxBuffer,
  });
}

/** Runs a CLI command against a test site (its config, issues and data folders); `env` adds to them. */
export function runCli(site: CliSite, args: string[], options: Omit<CliOptions, 'cwd'> & { logLevel?: string } = {}): Promise<CliRun> {
  return execCli(args, { ...options, cwd: site.dir, env: { ...siteEnv(site, options.logLevel), ...options.env } });
}
