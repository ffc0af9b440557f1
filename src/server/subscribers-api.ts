// The subscriber list under /api (registered by api.ts, behind its guard): the filtered keyset
// list, its CSV export, an edit and erasure. The console's subscriber pages share these handlers
// (subscriber-actions.ts). Reading the list needs viewer; the export (every address at once),
// edits and erasure need editor.
import type { FastifyInstance } from 'fastify';
import { SUBSCRIBER_STATUSES, type SubscriberStatus } from '../domain/subscriber-status.js';
import { needs } from './admin/auth.js';
import type { ServerContext } from './context.js';
import { checkChanges, eraseById, exportCsv, subscriberPage, type ChangeFields } from './subscriber-actions.js';
import { subscriberEraseSchema, subscriberExportSchema, subscriberPatchSchema, subscriberQuerySchema } from './schemas.js';

interface FilterQuery {
  q?: string;
  status?: SubscriberStatus;
  topic?: string;
}

const ID = /^[0-9]{1,15}$/;

export function registerSubscriberApi(api: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;

  api.get<{ Querystring: FilterQuery & { after?: string; limit: string } }>('/subscribers', subscriberQuerySchema(SUBSCRIBER_STATUSES), async (request) => {
    const { q, status, topic, after } = request.query;
    return subscriberPage(store, { search: q, status, topic, afterId: after === undefined ? undefined : Number(after), limit: Number(request.query.limit) });
  });

  api.get<{ Querystring: FilterQuery }>('/subscribers.csv', { ...subscriberExportSchema(SUBSCRIBER_STATUSES), ...needs('editor') }, async (request, reply) => {
    const { q, status, topic } = request.query;
    return reply
      .headers({ 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="subscribers.csv"', 'cache-control': 'no-store' })
      .send(exportCsv(store, { search: q, status, topic }));
  });

  api.patch<{ Params: { id: string }; Body: ChangeFields }>('/subscribers/:id', { ...subscriberPatchSchema(SUBSCRIBER_STATUSES), ...needs('editor') }, async (request, reply) => {
    const changes = checkChanges(request.body ?? {});
    if (!changes.ok) return reply.code(400).send({ error: changes.error });
    const updated = await store.updateSubscriber(Number(request.params.id), changes.value);
    return updated ?? reply.code(404).send({ error: `no subscriber ${request.params.id}` });
  });

  // Erasure (GDPR): the address goes everywhere; campaign counts and outcomes stay (see eraseSubscriber).
  // By id (the console's) or by address.
  api.delete<{ Params: { ref: string } }>('/subscribers/:ref', { ...subscriberEraseSchema(), ...needs('editor') }, async (request, reply) => {
    const { ref } = request.params;
    const erased = ID.test(ref) ? await eraseById(store, Number(ref)) : await store.eraseSubscriber(ref);
    return erased ? reply.code(204).send() : reply.code(404).send({ error: `${ref}: nothing stored about this ${ID.test(ref) ? 'subscriber' : 'address'}` });
  });
}
