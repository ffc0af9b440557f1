// The render process of render-isolated.ts: reads { config, issue } as JSON on stdin, renders the
// issue's parts (MJML, Liquid, html-to-text) and writes them as one JSON line on stdout, or the
// error ({ name, message, stack }) that rendering threw. It then exits, and MJML's memory with it.
import { renderIssueParts } from './issue-email.js';

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const { config, issue } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
let reply: unknown;
try {
  reply = { ok: true, parts: await renderIssueParts(config, issue) };
} catch (err) {
  const e = err instanceof Error ? err : new Error(String(err));
  reply = { ok: false, error: { name: e.name, message: e.message, stack: e.stack } };
}
process.stdout.write(`${JSON.stringify(reply)}\n`);
