// The console's subscriber pages: the list (a prefix search, status and topic filters, keyset
// "next page" links), one page per subscriber (edit name, topics and status; remove, which is
// erasure, after a ticked box checked here too), and the CSV import (subscriber-import.ts). They
// share the API's handlers (../subscriber-actions.ts). A viewer sees no forms, and the guard
// refuses their POSTs (the routes need editor).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleAllows } from '../../domain/roles.js';
import { isSubscriberStatus, SUBSCRIBER_STATUSES } from '../../domain/subscriber-status.js';
import type { Subscriber, SubscriberFilter } from '../../storage/store.js';
import type { ServerContext } from '../context.js';
import { checkChanges, eraseById, subscriberPage } from '../subscriber-actions.js';
import { identityOf, needs, type Identity } from './auth.js';
import { sendAdminPage } from './render.js';
import { registerImportPages } from './subscriber-import.js';

export const PAGE_SIZE = 50;
const ID = /^[0-9]{1,15}$/;
const REMOVE_CONFIRM = 'Yes: erase this subscriber and every trace of the address';

type Session = Extract<Identity, { kind: 'session' }>;

function sessionOnly(request: FastifyRequest): Session {
  const identity = identityOf(request);
  if (identity.kind !== 'session') throw new Error('console pages are behind a session');
  return identity;
}

const text = (value: unknown, max: number): string => (typeof value === 'string' ? value.trim().slice(0, max) : '');

/** The list's filter from the query string; anything malformed is ignored rather than refused. */
function filterFrom(query: unknown): { filter: SubscriberFilter; afterId?: number } {
  const q = (query ?? {}) as Record<string, unknown>;
  const status = text(q.status, 20);
  const after = text(q.after, 15);
  return {
    filter: { search: text(q.q, 200) || undefined, status: isSubscriberStatus(status) ? status : undefined, topic: text(q.topic, 100) || undefined },
    afterId: ID.test(after) ? Number(after) : undefined,
  };
}

/** A query string of the filter (and cursor), empty values left out. */
function queryOf(filter: SubscriberFilter, afterId?: number): string {
  const params = new URLSearchParams();
  if (filter.search) params.set('q', filter.search);
  if (filter.status) params.set('status', filter.status);
  if (filter.topic) params.set('topic', filter.topic);
  if (afterId !== undefined) params.set('after', String(afterId));
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

function subscriberView(s: Subscriber) {
  return {
    id: s.id,
    href: `/admin/subscribers/${s.id}`,
    email: s.email,
    name: s.name,
    status: s.status,
    topics: s.topics.join(', '),
    createdAt: s.createdAt,
    created: s.createdAt.slice(0, 10),
    confirmedAt: s.confirmedAt,
    unsubscribedAt: s.unsubscribedAt,
    source: s.source,
  };
}

const statusOptions = (selected: string | undefined) => SUBSCRIBER_STATUSES.map((value) => ({ value, selected: value === selected }));

export function registerSubscriberPages(admin: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;

  admin.get('/subscribers', async (request, reply) => {
    const session = sessionOnly(request);
    const { filter, afterId } = filterFrom(request.query);
    const page = await subscriberPage(store, { ...filter, afterId, limit: PAGE_SIZE });
    const notice = (request.query as Record<string, unknown>).removed === '1' ? 'The subscriber was removed and their address erased.' : null;
    return sendAdminPage(
      reply,
      ctx,
      200,
      'subscribers',
      { title: 'Subscribers', session, notice },
      {
        q: filter.search ?? '',
        topic: filter.topic ?? '',
        statuses: statusOptions(filter.status),
        subscribers: page.subscribers.map(subscriberView),
        total: page.total,
        nextHref: page.next === null ? null : `/admin/subscribers${queryOf(filter, page.next)}`,
        firstHref: afterId === undefined ? null : `/admin/subscribers${queryOf(filter)}`,
        exportHref: roleAllows(session.role, 'editor') ? `/api/subscribers.csv${queryOf(filter)}` : null,
        canEdit: roleAllows(session.role, 'editor'),
      },
    );
  });

  const subscriberPageFor = async (request: FastifyRequest, reply: FastifyReply, id: string, status: number, notice: string | null) => {
    const session = sessionOnly(request);
    const subscriber = ID.test(id) ? await store.getSubscriber(Number(id)) : null;
    if (!subscriber) return sendAdminPage(reply, ctx, 404, 'not-found', { title: 'Not found', session });
    return sendAdminPage(
      reply,
      ctx,
      status,
      'subscriber',
      { title: subscriber.email, session, notice },
      {
        s: subscriberView(subscriber),
        statuses: statusOptions(subscriber.status),
        canEdit: roleAllows(session.role, 'editor'),
        removeConfirm: REMOVE_CONFIRM,
      },
    );
  };

  admin.get<{ Params: { id: string }; Querystring: { saved?: string } }>('/subscribers/:id', (request, reply) =>
    subscriberPageFor(request, reply, request.params.id, 200, request.query.saved === '1' ? 'Saved.' : null),
  );

  admin.post<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>('/subscribers/:id', needs('editor'), async (request, reply) => {
    const { id } = request.params;
    const body = request.body ?? {};
    const status = text(body.status, 20);
    if (!isSubscriberStatus(status)) return subscriberPageFor(request, reply, id, 400, `status: expected one of ${SUBSCRIBER_STATUSES.join(', ')}`);
    const changes = checkChanges({ name: text(body.name, 10_000), topics: text(body.topics, 10_000), status });
    if (!changes.ok) return subscriberPageFor(request, reply, id, 400, changes.error);
    const updated = ID.test(id) ? await store.updateSubscriber(Number(id), changes.value) : null;
    if (!updated) return subscriberPageFor(request, reply, id, 404, null);
    ctx.logger.info({ subscriber: updated.id, operator: sessionOnly(request).email }, `subscriber ${updated.id}: edited (console)`);
    return reply.code(303).header('location', `/admin/subscribers/${updated.id}?saved=1`).send();
  });

  admin.post<{ Params: { id: string }; Body: Record<string, unknown> | undefined }>('/subscribers/:id/remove', needs('editor'), async (request, reply) => {
    const { id } = request.params;
    if (request.body?.confirm !== 'yes') return subscriberPageFor(request, reply, id, 400, 'Tick the box to confirm the removal.');
    if (!ID.test(id) || !(await eraseById(store, Number(id)))) return subscriberPageFor(request, reply, id, 404, null);
    ctx.logger.info({ subscriber: Number(id), operator: sessionOnly(request).email }, `subscriber ${id}: erased (console)`);
    return reply.code(303).header('location', '/admin/subscribers?removed=1').send();
  });

  registerImportPages(admin, ctx);
}
