// The operator API under /api. Callers: the PRESSROOM_ADMIN_TOKEN (owner), a named API token with its
// role, or a console session (with its CSRF token in x-csrf-token for unsafe methods); see
// src/server/admin/auth.ts. Each route names the role it needs (needs()); reading needs viewer.
import type { FastifyInstance } from 'fastify';
import { campaignReport } from '../domain/campaign-state.js';
import { SUBSCRIBER_STATUSES, type SubscriberStatus } from '../domain/subscriber-status.js';
import { storedCampaignReport } from '../storage/campaign-report.js';
import { DuplicateSubscriberError } from '../storage/store.js';
import { guard, needs } from './admin/auth.js';
import { registerAccountRoutes } from './accounts-api.js';
import { registerHealthRoute } from './health-api.js';
import { applyBrake, BRAKE_ACTIONS } from './brakes.js';
import { registerSendingRoutes } from './api-sending.js';
import { registerCampaignStream } from './campaign-live.js';
import type { ServerContext } from './context.js';
import { issueListing } from './issue-listing.js';
import { checkEmail, checkName, checkTopics, type SignUpFields } from './input.js';
import { newSubscriberSchema } from './schemas.js';
import { importCsvText } from './subscriber-actions.js';
import { registerSubscriberApi } from './subscribers-api.js';

const MAX_IMPORT_BYTES = 32 * 1024 * 1024;

export { tokenMatches } from './auth.js';

/** `openApiDocument` is the getter recordApiRoutes (openapi.ts) returned for this app. */
export async function registerApiRoutes(app: FastifyInstance, ctx: ServerContext, openApiDocument: () => Promise<unknown>): Promise<void> {
  await app.register(
    async (api) => {
      api.addHook('onRequest', guard(ctx, { answer: 'api', forbidden: (reply, why) => reply.code(403).send({ error: why }) }));
      api.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_IMPORT_BYTES }, (_req, body, done) => done(null, body));
      routes(api, ctx, openApiDocument);
      registerAccountRoutes(api, ctx);
      registerHealthRoute(api, ctx);
    },
    { prefix: '/api' },
  );
}

function routes(api: FastifyInstance, ctx: ServerContext, openApiDocument: () => Promise<unknown>): void {
  const { store, logger } = ctx;
  registerSubscriberApi(api, ctx);

  api.get('/issues', () => issueListing(ctx));

  // This API's own description, generated from the routes' schemas (openapi.ts).
  api.get('/openapi.json', { schema: { hide: true } }, openApiDocument);

  // The outbound event queue (src/webhooks/outbound/): counts and the newest failures.
  api.get('/events', async () => store.eventQueueReport());

  api.get<{ Params: { slug: string } }>('/campaigns/:slug', async (request, reply) => {
    const campaign = await store.getCampaign(request.params.slug);
    if (!campaign) return reply.code(404).send({ error: `no campaign "${request.params.slug}"` });
    return storedCampaignReport(store, campaign);
  });
  registerCampaignStream(api, ctx);
  registerSendingRoutes(api, ctx);

  // The brakes: they write the campaign row; every worker sending it reads that within one poll.
  for (const action of BRAKE_ACTIONS) {
    api.post<{ Params: { slug: string } }>(`/campaigns/:slug/${action}`, needs('editor'), async (request, reply) => {
      const { slug } = request.params;
      const result = await applyBrake(store, slug, action);
      if (!result.ok) return reply.code(result.status).send({ error: result.error });
      logger.info({ slug, action }, `campaign ${slug}: ${action} (API)`);
      return campaignReport(result.campaign, await store.campaignStats(result.campaign.id));
    });
  }

  api.post<{ Body: SignUpFields & { status: SubscriberStatus } }>('/subscribers', { ...newSubscriberSchema(SUBSCRIBER_STATUSES), ...needs('editor') }, async (request, reply) => {
    const email = checkEmail(request.body.email);
    if (!email.ok) return reply.code(400).send({ error: email.error });
    const name = checkName(request.body.name);
    if (!name.ok) return reply.code(400).send({ error: name.error });
    const topics = checkTopics(request.body.topics);
    if (!topics.ok) return reply.code(400).send({ error: topics.error });
    const { status } = request.body;
    try {
      const subscriber = await store.addSubscriber({ email: email.value, name: name.value, topics: topics.value, status, source: 'api' });
      return reply.code(201).send(subscriber);
    } catch (err) {
      if (err instanceof DuplicateSubscriberError) return reply.code(409).send({ error: err.message });
      throw err;
    }
  });

  // Everything stored about one address (GDPR access request).
  api.get<{ Params: { email: string } }>('/subscribers/:email/export', async (request, reply) => {
    const found = await store.exportSubscriber(request.params.email);
    if (!found) return reply.code(404).send({ error: `${request.params.email}: nothing stored about this address` });
    return reply.header('cache-control', 'no-store').send({ email: request.params.email, ...found });
  });

  api.post('/subscribers/import', { bodyLimit: MAX_IMPORT_BYTES, ...needs('editor') }, async (request, reply) => {
    if (typeof request.body !== 'string') return reply.code(415).send({ error: 'send the CSV as the body with Content-Type: text/csv' });
    const answer = await importCsvText(store, request.body);
    return answer.ok ? { ...answer.summary, problems: answer.problems } : reply.code(400).send({ error: answer.error });
  });
}
