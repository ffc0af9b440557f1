// The console's pages: templates/admin/*.liquid inside layout.liquid, escaped by the template
// engine (src/templates/engine.ts), sent with the HTML security headers and never cached.
import type { FastifyReply } from 'fastify';
import { pageTemplates, type PageTemplates } from '../../templates/engine.js';
import { NAMED_ENCODING } from '../../templates/escape.js';
import type { ServerContext } from '../context.js';
import { withHtmlSecurityHeaders } from '../headers.js';
import type { Identity } from './auth.js';

let templates: PageTemplates | undefined;

export interface AdminPage {
  title: string;
  /** The signed-in operator (null on the sign-in page): the header shows them and the sign-out buttons. */
  session: Extract<Identity, { kind: 'session' }> | null;
  /** A line shown above the page (an error, or what was done). */
  notice?: string | null;
}

export function sendAdminPage(reply: FastifyReply, ctx: ServerContext, status: number, name: string, page: AdminPage, values: object = {}): FastifyReply {
  templates ??= pageTemplates('admin', NAMED_ENCODING);
  const { session } = page;
  const html = templates.render(name, {
    lang: ctx.config.site.language,
    siteTitle: ctx.config.site.title,
    title: page.title,
    notice: page.notice ?? null,
    operator: session ? { email: session.email, role: session.role } : null,
    csrf: session?.csrfSecret ?? null,
    ...values,
  });
  return withHtmlSecurityHeaders(reply).code(status).headers({ 'cache-control': 'no-store', 'content-type': 'text/html; charset=utf-8' }).send(html);
}
