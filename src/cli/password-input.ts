// An operator's password for `operators add|passwd`, never from the command line (argv is visible
// to every user of the machine in `ps`): PRESSROOM_OPERATOR_PASSWORD, else the first line of a
// piped stdin, else a prompt on the terminal without echo (asked twice).
import { UsageError } from './common.js';

const ENV_NAME = 'PRESSROOM_OPERATOR_PASSWORD';

export async function readNewPassword(): Promise<string> {
  // Not a setting of the configuration (src/config/env.ts): a one-time input of this command.
  const fromEnv = process.env[ENV_NAME];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) {
    const line = firstLine(await readAll(process.stdin));
    if (line === '') throw new UsageError(`no password: pipe it on stdin or set ${ENV_NAME} (it is never read from the command line)`);
    return line;
  }
  const first = await promptHidden('New password: ');
  const again = await promptHidden('Again: ');
  if (first !== again) throw new UsageError('the two passwords differ');
  return first;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? '';
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one line from the terminal in raw mode, echoing nothing; Ctrl-C or Ctrl-D give up. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003' || ch === '\u0004') return finish(new UsageError('no password given'));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
