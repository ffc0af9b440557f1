// The operators' console under /admin (docs/console.md): the sign-in page outside the guard, and
// everything else behind it (a session; an unknown path under /admin is a 404 only for those
// signed in, so nothing there answers a stranger but the sign-in page).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerContext } from '../context.js';
import { guard, identityOf, type Identity } from './auth.js';
import { registerLoginRoutes, registerLogoutRoutes } from './login.js';
import { registerIssuePages } from './issues.js';
import { registerCampaignPages } from './pages.js';
import { registerHealthPage } from './health-page.js';
import { registerAccountPages } from './accounts-pages.js';
import { sendAdminPage } from './render.js';
import { registerSubscriberPages } from './subscribers.js';

export async function registerAdminRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  registerLoginRoutes(app, ctx);
  const forbidden = (reply: FastifyReply, why: string, identity: Identity) =>
    sendAdminPage(reply, ctx, 403, 'forbidden', { title: 'Not allowed', session: identity.kind === 'session' ? identity : null }, { why });
  await app.register(
    async (admin) => {
      admin.addHook('preHandler', guard(ctx, { answer: 'page', forbidden }));
      registerLogoutRoutes(admin, ctx);
      registerCampaignPages(admin, ctx);
      registerHealthPage(admin, ctx);
      registerAccountPages(admin, ctx);
      registerIssuePages(admin, ctx);
      registerSubscriberPages(admin, ctx);
      admin.get('/*', async (request, reply) => {
        const identity = identityOf(request);
        return sendAdminPage(reply, ctx, 404, 'not-found', { title: 'Not found', session: identity.kind === 'session' ? identity : null });
      });
    },
    { prefix: '/admin' },
  );
}
