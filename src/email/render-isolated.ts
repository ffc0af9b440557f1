// prepareIssueEmail without MJML in this process: the issue is rendered in a short-lived child
// process (render-child.ts) that returns the parts as JSON and exits; this process only composes
// them (issue-compose.ts). MJML and its dependencies add ~50-80 MB to a Node process and are never
// unloaded once imported, so a sender that renders in-process carries them for its whole run; this
// way the sending process's peak memory does not include them (BENCHMARKS.md, "send"). The result
// is the same PreparedEmail, and a rendering error is rethrown here as the same error class
// (TemplateError) with the same message.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compiledEntry } from '../compiled-entry.js';
import type { Config } from '../config/config.js';
import type { Issue } from '../content/issue.js';
import type { PreparedEmailWithParts } from './compose.js';
import { composeIssueEmail, type IssueParts } from './issue-compose.js';
import { createSender } from './sender.js';
import { TemplateError } from './template-error.js';

type Reply = { ok: true; parts: IssueParts } | { ok: false; error: { name: string; message: string; stack?: string } };

export async function prepareIssueEmailIsolated(config: Config, issue: Issue, secret: string): Promise<PreparedEmailWithParts> {
  createSender(config); // a sender/DKIM problem is reported before any rendering, as in prepareIssueEmail
  return composeIssueEmail(config, issue, secret, await renderIssuePartsInChild(config, issue));
}

export async function renderIssuePartsInChild(config: Config, issue: Issue, child: RenderChild = spawnRenderChild()): Promise<IssueParts> {
  const reply = await child.reply(JSON.stringify({ config, issue }), issue.slug);
  if (reply.ok) return reply.parts;
  const { name, message, stack } = reply.error;
  const err = name === 'TemplateError' ? new TemplateError(message) : new Error(message);
  if (name !== 'TemplateError') err.name = name;
  if (stack) err.stack = stack;
  throw err;
}

/** A render process, started and loading its modules, waiting for its one input. */
interface RenderChild {
  reply(input: string, slug: string): Promise<Reply>;
  kill(): void;
}

function spawnRenderChild(): RenderChild {
  const entry = fileURLToPath(compiledEntry(import.meta.url, './render-child.js'));
  const child = spawn(process.execPath, [entry], { stdio: ['pipe', 'pipe', 'inherit'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stdin.on('error', () => {}); // a child that dies early is reported by 'close'
  // Whichever comes first: a process that could not start reports 'error', one that ran 'close'.
  const ended = new Promise<{ error?: Error; code?: number | null; signal?: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (error) => resolve({ error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    async reply(input, slug) {
      child.stdin.end(input);
      const { error, code, signal } = await ended;
      if (error) throw new Error(`${slug}: could not start the render process: ${error.message}`);
      const text = Buffer.concat(out).toString('utf8').trim();
      try {
        if (text) return JSON.parse(text.slice(text.lastIndexOf('\n') + 1)) as Reply;
      } catch {
        // fall through: report the exit status
      }
      throw new Error(`${slug}: the render process ended without a result (${signal ? `signal ${signal}` : `exit code ${code}`})`);
    },
    kill: () => child.kill(),
  };
}

/**
 * A render process started before it is needed (`pressroom send`): it loads MJML and its
 * dependencies (~0.4 s) on the other core while this process loads the issues and writes the
 * campaign's ledger, instead of after them. The first `render` uses it, later ones start their
 * own; `dispose` stops it when nothing used it (an earlier pass or worker had rendered the issue).
 */
export interface RenderProcess {
  render(config: Config, issue: Issue): Promise<IssueParts>;
  dispose(): void;
}

export function startRenderProcess(): RenderProcess {
  let waiting: RenderChild | undefined = spawnRenderChild();
  return {
    render(config, issue) {
      const child = waiting;
      waiting = undefined;
      return renderIssuePartsInChild(config, issue, child);
    },
    dispose() {
      waiting?.kill();
      waiting = undefined;
    },
  };
}
