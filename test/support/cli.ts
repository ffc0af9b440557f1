// Runs the real CLI (bin/pressroom.js) for a test site, in an environment of its own: the
// developer's PRESSROOM_*, SMTP_URL and DATABASE_URL never leak into the command under test.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { cliPath } from './paths.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliSite {
  dir: string;
  config: { dataDir: string };
}

export function runCli(
  site: CliSite,
  args: string[],
  options: { env?: Record<string, string>; closeStdout?: boolean; nodeArgs?: string[] } = {},
): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PRESSROOM_') && k !== 'SMTP_URL' && k !== 'DATABASE_URL') env[k] = v;
  Object.assign(env, {
    PRESSROOM_CONFIG: path.join(site.dir, 'pressroom.config.json'),
    PRESSROOM_ISSUES_DIR: path.join(site.dir, 'issues'),
    PRESSROOM_DATA_DIR: site.config.dataDir,
    PRESSROOM_LOG_LEVEL: 'error',
    ...options.env,
  });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), cliPath, ...args], { cwd: site.dir, env });
    let stdout = '';
    let stderr = '';
    // Like `| head -0`: the reading end is gone before the command writes its first line.
    if (options.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
