// The owner's console pages for operators (/admin/operators) and API tokens (/admin/tokens): POST
// forms carrying the session's CSRF token, through the same checks and store calls as /api
// (src/server/accounts.ts). Editors and viewers get 403 from the guard (every route needs owner).
// A new token is shown once, on the page that answers its form; only its hash is kept.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isRole, ROLES, type Role } from '../../domain/roles.js';
import { addOperator, createToken, removeOperator, revokeToken, setOperatorRole, type AccountResult } from '../accounts.js';
import type { ServerContext } from '../context.js';
import { identityOf, needs } from './auth.js';
import { sessionOnly } from './pages.js';
import { sendAdminPage } from './render.js';

type Form = Record<string, unknown> | undefined;

const field = (body: Form, name: string) => (typeof body?.[name] === 'string' ? (body[name] as string) : '');
const day = (iso: string | null) => (iso === null ? null : iso.slice(0, 10));

export function registerAccountPages(admin: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx;

  const operatorsPage = async (request: FastifyRequest, reply: FastifyReply, status: number, notice: string | null) => {
    const session = sessionOnly(identityOf(request));
    const now = ctx.now();
    const operators = (await store.listOperators()).map((o) => ({
      email: o.email,
      role: o.role,
      created: day(o.createdAt),
      createdAt: o.createdAt,
      locked: o.lockedUntil !== null && o.lockedUntil > now ? new Date(o.lockedUntil).toISOString().slice(0, 16).replace('T', ' ') : null,
      you: o.email === session.email,
    }));
    return sendAdminPage(reply, ctx, status, 'operators', { title: 'Operators', session, notice }, { operators, roles: ROLES });
  };

  const tokensPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    notice: string | null,
    created: { name: string; role: Role; token: string } | null = null,
  ) => {
    const session = sessionOnly(identityOf(request));
    const tokens = (await store.listApiTokens()).map((t) => ({ ...t, created: day(t.createdAt), lastUsed: day(t.lastUsedAt) }));
    return sendAdminPage(reply, ctx, status, 'tokens', { title: 'API tokens', session, notice }, { tokens, roles: ROLES, created });
  };

  /** Post/redirect/get on success; the page again with the reason otherwise. */
  const done = <T>(request: FastifyRequest, reply: FastifyReply, result: AccountResult<T>, page: typeof operatorsPage, path: string) =>
    result.ok ? reply.code(303).header('location', path).send() : page(request, reply, result.status, result.error);

  const roleOf = (body: Form): Role | null => {
    const role = field(body, 'role');
    return isRole(role) ? role : null;
  };
  const badRole = `Role: expected one of ${ROLES.join(', ')}.`;

  admin.get('/operators', needs('owner'), (request, reply) => operatorsPage(request, reply, 200, null));

  admin.post<{ Body: Form }>('/operators', needs('owner'), async (request, reply) => {
    const role = roleOf(request.body);
    if (!role) return operatorsPage(request, reply, 400, badRole);
    const result = await addOperator(store, { email: field(request.body, 'email').trim(), role, password: field(request.body, 'password') });
    if (result.ok) ctx.logger.info({ operator: result.value.email, role, by: sessionOnly(identityOf(request)).email }, 'operator added (console)');
    return done(request, reply, result, operatorsPage, '/admin/operators');
  });

  admin.post<{ Body: Form }>('/operators/role', needs('owner'), async (request, reply) => {
    const role = roleOf(request.body);
    if (!role) return operatorsPage(request, reply, 400, badRole);
    const result = await setOperatorRole(store, field(request.body, 'email'), role);
    if (result.ok) ctx.logger.info({ operator: result.value.email, role, by: sessionOnly(identityOf(request)).email }, 'operator role changed (console)');
    return done(request, reply, result, operatorsPage, '/admin/operators');
  });

  admin.post<{ Body: Form }>('/operators/remove', needs('owner'), async (request, reply) => {
    const result = await removeOperator(store, field(request.body, 'email'));
    if (result.ok) ctx.logger.info({ operator: result.value.email, by: sessionOnly(identityOf(request)).email }, 'operator removed; their sessions ended (console)');
    return done(request, reply, result, operatorsPage, '/admin/operators');
  });

  admin.get('/tokens', needs('owner'), (request, reply) => tokensPage(request, reply, 200, null));

  admin.post<{ Body: Form }>('/tokens', needs('owner'), async (request, reply) => {
    const role = roleOf(request.body);
    if (!role) return tokensPage(request, reply, 400, badRole);
    const result = await createToken(store, field(request.body, 'name').trim(), role);
    if (!result.ok) return tokensPage(request, reply, result.status, result.error);
    const { apiToken, token } = result.value;
    ctx.logger.info({ token: apiToken.name, role, by: sessionOnly(identityOf(request)).email }, 'API token created (console)');
    // Answered here, not redirected: the token is shown this once.
    return tokensPage(request, reply, 201, null, { name: apiToken.name, role: apiToken.role, token });
  });

  admin.post<{ Body: Form }>('/tokens/revoke', needs('owner'), async (request, reply) => {
    const result = await revokeToken(store, field(request.body, 'name'));
    if (result.ok) ctx.logger.info({ token: field(request.body, 'name'), by: sessionOnly(identityOf(request)).email }, 'API token revoked (console)');
    return done(request, reply, result, tokensPage, '/admin/tokens');
  });
}
