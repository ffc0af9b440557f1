// `pressroom preview <slug>`: the email of one issue exactly as a subscriber would get it
// (HTML, plain text and the complete .eml), for a sample subscriber, without sending anything.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import type { Command } from 'commander';
import { SAMPLE_SUBSCRIBER } from '../email/message.js';
import { configFrom, issueFor } from './common.js';

interface PreviewOptions {
  out: string;
  open?: boolean;
  port?: string;
  issues?: string;
  siteUrl?: string;
  dataDir?: string;
  config?: string;
}

export function registerPreviewCommands(program: Command): void {
  program
    .command('preview')
    .description('write preview/<slug>.html, .txt and .eml: the issue email for a sample subscriber')
    .argument('<slug>', 'the issue slug (see pressroom check)')
    .option('--out <dir>', 'folder for the preview files', 'preview')
    .option('--open', 'also serve the HTML on a local port and print its URL (Ctrl-C to stop)')
    .option('--port <n>', 'port for --open (default: any free port)')
    .option('--issues <dir>', 'issues folder (default ./issues or PRESSROOM_ISSUES_DIR)')
    .option('--site-url <url>', 'absolute URL the site is served from (or PRESSROOM_SITE_URL)')
    .option('--data-dir <dir>', 'data folder holding the dev secret (default ./data or PRESSROOM_DATA_DIR)')
    .option('--config <file>', 'configuration file (default ./pressroom.config.json or PRESSROOM_CONFIG)')
    .action(async (slug: string, options: PreviewOptions) => {
      const config = await configFrom({ config: options.config, issues: options.issues, siteUrl: options.siteUrl, dataDir: options.dataDir });
      const issue = await issueFor(config, slug);
      const [{ resolveSecret }, { prepareIssueEmail }, { TemplateError }] = await Promise.all([
        import('../config/secret.js'),
        import('../email/issue-email.js'),
        import('../email/templates.js'),
      ]);
      let files: { html: string; txt: string; eml: string };
      let html: string;
      try {
        const prepared = await prepareIssueEmail(config, issue, resolveSecret(config));
        const parts = prepared.partsFor(SAMPLE_SUBSCRIBER);
        html = parts.html;
        const outDir = path.resolve(options.out);
        mkdirSync(outDir, { recursive: true });
        const base = path.join(outDir, slug.replace(/[^\p{L}\p{N}._-]+/gu, '_'));
        files = { html: `${base}.html`, txt: `${base}.txt`, eml: `${base}.eml` };
        writeFileSync(files.html, parts.html);
        writeFileSync(files.txt, parts.text);
        writeFileSync(files.eml, prepared.messageFor(SAMPLE_SUBSCRIBER).raw);
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        console.error(`pressroom: ${err.message}`);
        process.exitCode = 1;
        return;
      }
      for (const f of Object.values(files)) console.log(path.relative(process.cwd(), f) || f);
      if (options.open) await serve(html, options.port);
    });
}

async function serve(html: string, port: string | undefined): Promise<void> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : html);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port === undefined ? 0 : Number(port), '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  console.log(`serving the preview at http://127.0.0.1:${actual}/ (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
