// The console's issues pages: /admin/issues lists what `check` sees in the issues folder (the same
// listing as GET /api/issues), and /admin/issues/SLUG shows one issue's email (the HTML in a
// sandboxed frame served with `Content-Security-Policy: sandbox`, the text, the headers), its
// recipients per topic, and for editors the send and test-send buttons and the saved test list.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleAllows } from '../../domain/roles.js';
import type { ServerContext } from '../context.js';
import { issueListing } from '../issue-listing.js';
import { issueOnDisk, startSend, testSend } from '../sending.js';
import { checkEmail } from '../input.js';
import { parseTestAddresses, readTestAddresses, saveTestAddresses } from '../test-addresses.js';
import { identityOf, needs } from './auth.js';
import { sessionOnly } from './pages.js';
import { sendAdminPage } from './render.js';
import { emailPreview, recipientCounts } from './issue-view.js';

/** The frame's document may show images and its own styles, and nothing may run or navigate there. */
const PREVIEW_CSP = "sandbox; default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; font-src https: data:; frame-ancestors 'self'";

const slugParams = { type: 'object', required: ['slug'], properties: { slug: { type: 'string', minLength: 1 } } } as const;
const formBody = (fields: string[]) => ({ type: 'object', properties: Object.fromEntries(['_csrf', ...fields].map((f) => [f, { type: 'string' }])) }) as const;
const html = { 200: { description: 'an HTML page', content: { 'text/html': { schema: { type: 'string' } } } } };

type Req = FastifyRequest<{ Params: { slug: string } }>;

export function registerIssuePages(admin: FastifyInstance, ctx: ServerContext): void {
  const href = (slug: string) => `/admin/issues/${encodeURIComponent(slug)}`;

  admin.get('/issues', { schema: { response: html } }, async (request, reply) => {
    const session = sessionOnly(identityOf(request));
    const listing = await issueListing(ctx);
    const issues = listing.issues.map((i) => ({ ...i, href: href(i.slug), campaignHref: i.campaign ? `/admin/campaigns/${encodeURIComponent(i.slug)}` : null }));
    return sendAdminPage(reply, ctx, 200, 'issues', { title: 'Issues', session }, { issues, problems: listing.problems, watermark: listing.watermark });
  });

  const issuePage = async (request: Req, reply: FastifyReply, status: number, notice: string | null) => {
    const session = sessionOnly(identityOf(request));
    const issue = await issueOnDisk(ctx, request.params.slug);
    if (!issue) return sendAdminPage(reply, ctx, 404, 'not-found', { title: 'Not found', session });
    const listed = (await issueListing(ctx)).issues.find((i) => i.slug === issue.slug);
    const preview = await emailPreview(ctx, issue);
    const editor = roleAllows(session.role, 'editor');
    return sendAdminPage(
      reply,
      ctx,
      status,
      'issue',
      { title: issue.title, session, notice },
      {
        issue: {
          slug: issue.slug,
          title: issue.title,
          href: href(issue.slug),
          status: listed?.status ?? null,
          reason: listed?.reason ?? null,
          source: listed?.source ?? null,
          sendAt: listed?.sendAt ?? null,
        },
        campaignHref: listed?.campaign ? `/admin/campaigns/${encodeURIComponent(issue.slug)}` : null,
        canSend: editor && !listed?.campaign && listed?.published === true && issue.email,
        editor,
        recipients: await recipientCounts(ctx.store, issue),
        preview: 'error' in preview ? { error: preview.error } : { src: `${href(issue.slug)}/preview`, text: preview.text, headers: preview.headers },
        testAddresses: (await readTestAddresses(ctx.store)).join('\n'),
      },
    );
  };

  admin.get<{ Params: { slug: string } }>('/issues/:slug', { schema: { params: slugParams, response: html } }, (request, reply) => issuePage(request, reply, 200, null));

  // The email's HTML alone, for the issue page's <iframe sandbox>: no script runs there, it has an
  // opaque origin (no cookies, no same-origin requests), and forms and links go nowhere.
  admin.get<{ Params: { slug: string } }>('/issues/:slug/preview', { schema: { params: slugParams, response: html } }, async (request, reply) => {
    const issue = await issueOnDisk(ctx, request.params.slug);
    if (!issue) return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('no such issue');
    const preview = await emailPreview(ctx, issue);
    if ('error' in preview) return reply.code(500).header('content-type', 'text/plain; charset=utf-8').send(preview.error);
    const body = preview.html;
    return reply
      .headers({
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': PREVIEW_CSP,
        'x-frame-options': 'SAMEORIGIN',
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
      })
      .send(body);
  });

  admin.post<{ Params: { slug: string } }>('/issues/:slug/send', { schema: { params: slugParams, body: formBody([]) }, ...needs('editor') }, async (request, reply) => {
    const started = await startSend(ctx, request.params.slug);
    if (!started.ok) return issuePage(request, reply, started.status, started.error);
    started.sending.catch((err: unknown) => ctx.logger.error({ err, slug: started.campaign.slug }, 'send started from the console failed'));
    ctx.logger.info(
      { slug: started.campaign.slug, created: started.created, operator: sessionOnly(identityOf(request)).email },
      `campaign ${started.campaign.slug}: send (console)`,
    );
    return reply
      .code(303)
      .header('location', `/admin/campaigns/${encodeURIComponent(started.campaign.slug)}`)
      .send();
  });

  admin.post<{ Params: { slug: string }; Body: { email?: string; to?: string } }>(
    '/issues/:slug/test',
    { schema: { params: slugParams, body: formBody(['email', 'to']) }, ...needs('editor') },
    async (request, reply) => {
      const issue = await issueOnDisk(ctx, request.params.slug);
      if (!issue) return issuePage(request, reply, 404, `no issue with slug "${request.params.slug}"`);
      let addresses: string[];
      if (request.body.to === 'list') {
        addresses = await readTestAddresses(ctx.store);
        if (addresses.length === 0) return issuePage(request, reply, 409, 'No saved test addresses: save some below first.');
      } else {
        const email = checkEmail(request.body.email);
        if (!email.ok) return issuePage(request, reply, 400, email.error);
        addresses = [email.value];
      }
      const results = await testSend(ctx, issue, addresses);
      const line = results.map((r) => (r.ok ? `${r.address}: sent (${r.code})` : `${r.address}: refused (${r.code ?? 'no code'} ${r.error})`)).join('; ');
      return issuePage(request, reply, results.every((r) => r.ok) ? 200 : 502, `Test copy: ${line}`);
    },
  );

  admin.post<{ Params: { slug: string }; Body: { addresses?: string } }>(
    '/issues/:slug/test-addresses',
    { schema: { params: slugParams, body: formBody(['addresses']) }, ...needs('editor') },
    async (request, reply) => {
      const parsed = parseTestAddresses(request.body.addresses ?? '');
      if (!parsed.ok) return issuePage(request, reply, 400, parsed.error);
      await saveTestAddresses(ctx.store, parsed.value);
      return reply.code(303).header('location', href(request.params.slug)).send();
    },
  );
}
