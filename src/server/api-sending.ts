// The API's sending routes: send an issue, test-send it (to an address or to the saved list of
// test addresses), retry a campaign's temporary failures, and that list itself. The checks are
// sending.ts's, shared with the console's buttons.
import type { FastifyInstance } from 'fastify';
import { TransportMismatchError } from '../delivery/campaign.js';
import { needs } from './admin/auth.js';
import type { ServerContext } from './context.js';
import { checkEmail, type SignUpFields } from './input.js';
import { signUpSchema } from './schemas.js';
import { issueOnDisk, startRetry, startSend, testSend } from './sending.js';
import { MAX_TEST_ADDRESSES, parseTestAddresses, readTestAddresses, saveTestAddresses } from './test-addresses.js';

const slugParams = { type: 'object', required: ['slug'], properties: { slug: { type: 'string', minLength: 1 } } } as const;
const errorReply = { type: 'object', properties: { error: { type: 'string' } } } as const;
const addressList = { type: 'object', required: ['addresses'], properties: { addresses: { type: 'array', items: { type: 'string' } } } } as const;
const testResult = {
  type: 'object',
  properties: {
    address: { type: 'string' },
    ok: { type: 'boolean' },
    messageId: { type: 'string' },
    code: { type: ['integer', 'null'] },
    response: { type: 'string' },
    error: { type: 'string' },
  },
} as const;

export function registerSendingRoutes(api: FastifyInstance, ctx: ServerContext): void {
  const { logger } = ctx;

  api.post<{ Params: { slug: string }; Querystring: { wait?: string } }>(
    '/issues/:slug/send',
    { schema: { params: slugParams, querystring: { type: 'object', properties: { wait: { type: 'string' } } } }, ...needs('editor') },
    async (request, reply) => {
      const started = await startSend(ctx, request.params.slug);
      if (!started.ok) return reply.code(started.status).send({ error: started.error });
      const { campaign, created, sending } = started;
      if (request.query.wait === '1' || request.query.wait === 'true') {
        try {
          return reply.code(200).send({ campaign, created, stats: await sending });
        } catch (err) {
          if (err instanceof TransportMismatchError) return reply.code(409).send({ error: err.message });
          throw err;
        }
      }
      sending.catch((err: unknown) => logger.error({ err, slug: campaign.slug }, 'send started from the API failed'));
      return reply.code(202).send({ campaign, created });
    },
  );

  api.post<{ Params: { slug: string }; Body: SignUpFields }>('/issues/:slug/test', { ...signUpSchema(), ...needs('editor') }, async (request, reply) => {
    const email = checkEmail(request.body.email);
    if (!email.ok) return reply.code(400).send({ error: email.error });
    const issue = await issueOnDisk(ctx, request.params.slug);
    if (!issue) return reply.code(404).send({ error: `no issue with slug "${request.params.slug}"` });
    const [result] = await testSend(ctx, issue, [email.value]);
    if (!result!.ok) return reply.code(502).send({ ok: false, code: result!.code, error: result!.error });
    const { address: _address, ...sent } = result!;
    return sent;
  });

  api.post<{ Params: { slug: string } }>(
    '/issues/:slug/test-list',
    {
      schema: { params: slugParams, response: { 200: { type: 'object', properties: { results: { type: 'array', items: testResult } } }, 404: errorReply, 409: errorReply } },
      ...needs('editor'),
    },
    async (request, reply) => {
      const issue = await issueOnDisk(ctx, request.params.slug);
      if (!issue) return reply.code(404).send({ error: `no issue with slug "${request.params.slug}"` });
      const addresses = await readTestAddresses(ctx.store);
      if (addresses.length === 0) return reply.code(409).send({ error: 'no saved test addresses: PUT /api/test-addresses first' });
      return { results: await testSend(ctx, issue, addresses) };
    },
  );

  api.post<{ Params: { slug: string }; Body: { unknown?: boolean } | undefined }>(
    '/campaigns/:slug/retry',
    {
      schema: {
        params: slugParams,
        body: { type: ['object', 'null'], properties: { unknown: { type: 'boolean' } } },
        response: { 200: { type: 'object', properties: { requeued: { type: 'integer' } } }, 404: errorReply, 409: errorReply, 503: errorReply },
      },
      ...needs('editor'),
    },
    async (request, reply) => {
      const result = await startRetry(ctx, request.params.slug, request.body?.unknown === true);
      if (!result.ok) return reply.code(result.status).send({ error: result.error });
      logger.info({ slug: request.params.slug, requeued: result.requeued }, `campaign ${request.params.slug}: retry (API)`);
      return { requeued: result.requeued };
    },
  );

  api.get('/test-addresses', { schema: { response: { 200: addressList } } }, async () => ({ addresses: await readTestAddresses(ctx.store) }));

  api.put<{ Body: { addresses: string[] } }>(
    '/test-addresses',
    {
      schema: {
        body: { ...addressList, properties: { addresses: { type: 'array', maxItems: MAX_TEST_ADDRESSES * 2, items: { type: 'string' } } } },
        response: { 200: addressList, 400: errorReply },
      },
      ...needs('editor'),
    },
    async (request, reply) => {
      const parsed = parseTestAddresses(request.body.addresses.join('\n'));
      if (!parsed.ok) return reply.code(400).send({ error: parsed.error });
      await saveTestAddresses(ctx.store, parsed.value);
      return { addresses: parsed.value };
    },
  );
}
