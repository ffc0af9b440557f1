// The console's CSV import: a page with a file picker, which a small script uploads to POST
// /api/subscribers/import showing the upload's progress and then the per-line report; and, for a
// browser without JavaScript, a text box posted here and run by the same importer. Editors only.
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bundledPath } from '../../templates/root.js';
import type { ServerContext } from '../context.js';
import { importCsvText, type ImportAnswer } from '../subscriber-actions.js';
import { identityOf, needs } from './auth.js';
import { sendAdminPage } from './render.js';

/** As the API's import takes (api.ts). */
const MAX_IMPORT_BYTES = 32 * 1024 * 1024;

let script: string | undefined;

function session(request: FastifyRequest) {
  const identity = identityOf(request);
  if (identity.kind !== 'session') throw new Error('console pages are behind a session');
  return identity;
}

function reportOf(answer: ImportAnswer) {
  return answer.ok ? { summary: answer.summary, problems: answer.problems } : null;
}

export function registerImportPages(admin: FastifyInstance, ctx: ServerContext): void {
  admin.get('/subscribers/import', needs('editor'), async (request, reply) =>
    sendAdminPage(reply, ctx, 200, 'subscribers-import', { title: 'Import subscribers', session: session(request) }, { report: null }),
  );

  // script-src 'self': the page's script is a file, served to signed-in operators only.
  admin.get('/subscribers/import.js', needs('editor'), async (_request, reply) => {
    script ??= readFileSync(bundledPath('templates', 'admin', 'subscribers-import.js'), 'utf8');
    return reply.headers({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' }).send(script);
  });

  admin.post<{ Body: { csv?: unknown } | undefined }>('/subscribers/import', { bodyLimit: MAX_IMPORT_BYTES, ...needs('editor') }, async (request, reply) => {
    const csv = typeof request.body?.csv === 'string' ? request.body.csv : '';
    const answer = await importCsvText(ctx.store, csv);
    const notice = answer.ok ? null : answer.error;
    return sendAdminPage(reply, ctx, answer.ok ? 200 : 400, 'subscribers-import', { title: 'Import subscribers', session: session(request), notice }, { report: reportOf(answer) });
  });
}
