// The render process of render-isolated.ts: reads { config, issue } as JSON on stdin, renders the
// issue's parts (MJML, Liquid, html-to-text) and writes them as one JSON line on stdout, or the
// error ({ name, message, stack }) that rendering threw. It then exits, and MJML's memory with it.
// It loads its modules at once, before its input comes (startRenderProcess starts it ahead of need).
import { renderIssueParts } from './issue-email.js';

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
// No input: a process started ahead of need (startRenderProcess) whose parent ended without using it.
if (chunks.length > 0) {
  const { config, issue } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  let reply: unknown;
  try {
    reply = { ok: true, parts: await renderIssueParts(config, issue) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { ok: false, error: { name: e.name, message: e.message, stack: e.stack } };
  }
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}
