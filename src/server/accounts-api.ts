// /api/operators and /api/tokens: the owner manages the console's operators and the named API
// tokens over HTTP (the console's owner pages do the same through src/server/accounts.ts). Every
// route has a full JSON schema (params, query, body, response): the OpenAPI document is generated
// from them, and a response schema also keeps anything not listed (a hash) from being sent.
import type { FastifyInstance } from 'fastify';
import { ROLES, type Role } from '../domain/roles.js';
import type { ApiToken, Operator } from '../storage/accounts.js';
import { needs } from './admin/auth.js';
import { addOperator, createToken, removeOperator, revokeToken, setOperatorRole, type AccountResult } from './accounts.js';
import type { ServerContext } from './context.js';
import { formatter } from './schemas.js';

const role = { type: 'string', enum: [...ROLES] } as const;
const error = { type: 'object', required: ['error'], properties: { error: { type: 'string' } } } as const;
const operator = {
  type: 'object',
  required: ['email', 'role', 'createdAt', 'lockedUntil'],
  properties: {
    email: { type: 'string' },
    role,
    createdAt: { type: 'string', format: 'date-time' },
    lockedUntil: { type: ['string', 'null'], format: 'date-time', description: 'sign-in refused until then (too many wrong passwords)' },
  },
} as const;
const token = {
  type: 'object',
  required: ['name', 'role', 'createdAt', 'lastUsedAt'],
  properties: { name: { type: 'string' }, role, createdAt: { type: 'string', format: 'date-time' }, lastUsedAt: { type: ['string', 'null'], format: 'date-time' } },
} as const;
const noQuery = { type: 'object', additionalProperties: false } as const;
const emailParams = { type: 'object', required: ['email'], properties: { email: { type: 'string' } } } as const;
const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } as const;
const errors = { 400: error, 404: error, 409: error } as const;

const MESSAGES = {
  email: 'email: expected an email address',
  role: `role: expected one of ${ROLES.join(', ')}`,
  password: 'password: expected text',
  name: 'name: expected a token name',
};
const owner = (whole: string) => ({ ...needs('owner'), schemaErrorFormatter: formatter(MESSAGES, whole) });

const operatorJson = (o: Operator) => ({
  email: o.email,
  role: o.role,
  createdAt: o.createdAt,
  lockedUntil: o.lockedUntil === null ? null : new Date(o.lockedUntil).toISOString(),
});
const tokenJson = (t: ApiToken) => ({ name: t.name, role: t.role, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt });

export function registerAccountRoutes(api: FastifyInstance, ctx: ServerContext): void {
  const { store, logger } = ctx;
  const answer = <T>(reply: { code(n: number): { send(b: unknown): unknown } }, result: AccountResult<T>, ok: (value: T) => [number, unknown]) => {
    if (!result.ok) return reply.code(result.status).send({ error: result.error });
    const [status, body] = ok(result.value);
    return reply.code(status).send(body);
  };

  api.get(
    '/operators',
    {
      ...owner(MESSAGES.email),
      schema: { querystring: noQuery, response: { 200: { type: 'object', required: ['operators'], properties: { operators: { type: 'array', items: operator } } } } },
    },
    async () => ({ operators: (await store.listOperators()).map(operatorJson) }),
  );

  api.post<{ Body: { email: string; role: Role; password: string } }>(
    '/operators',
    {
      ...owner(MESSAGES.email),
      schema: {
        querystring: noQuery,
        body: {
          type: 'object',
          required: ['email', 'role', 'password'],
          additionalProperties: false,
          properties: { email: { type: 'string' }, role, password: { type: 'string', description: '12 to 1,024 characters' } },
        },
        response: { 201: operator, ...errors },
      },
    },
    async (request, reply) => {
      const result = await addOperator(store, request.body);
      if (result.ok) logger.info({ operator: result.value.email, role: result.value.role }, 'operator added (API)');
      return answer(reply, result, (o) => [201, operatorJson(o)]);
    },
  );

  api.patch<{ Params: { email: string }; Body: { role: Role } }>(
    '/operators/:email',
    {
      ...owner(MESSAGES.role),
      schema: {
        params: emailParams,
        querystring: noQuery,
        body: { type: 'object', required: ['role'], additionalProperties: false, properties: { role } },
        response: { 200: operator, ...errors },
      },
    },
    async (request, reply) => {
      const result = await setOperatorRole(store, request.params.email, request.body.role);
      if (result.ok) logger.info({ operator: result.value.email, role: result.value.role }, 'operator role changed (API)');
      return answer(reply, result, (o) => [200, operatorJson(o)]);
    },
  );

  api.delete<{ Params: { email: string } }>(
    '/operators/:email',
    { ...owner(MESSAGES.email), schema: { params: emailParams, querystring: noQuery, response: { 204: { type: 'null' }, ...errors } } },
    async (request, reply) => {
      const result = await removeOperator(store, request.params.email);
      if (result.ok) logger.info({ operator: result.value.email }, 'operator removed; their sessions ended (API)');
      return answer(reply, result, () => [204, null]);
    },
  );

  api.get(
    '/tokens',
    {
      ...owner(MESSAGES.name),
      schema: { querystring: noQuery, response: { 200: { type: 'object', required: ['tokens'], properties: { tokens: { type: 'array', items: token } } } } },
    },
    async () => ({ tokens: (await store.listApiTokens()).map(tokenJson) }),
  );

  api.post<{ Body: { name: string; role: Role } }>(
    '/tokens',
    {
      ...owner(MESSAGES.name),
      schema: {
        querystring: noQuery,
        body: { type: 'object', required: ['name', 'role'], additionalProperties: false, properties: { name: { type: 'string' }, role } },
        response: {
          201: {
            type: 'object',
            required: [...token.required, 'token'],
            properties: { ...token.properties, token: { type: 'string', description: 'shown this once: only its SHA-256 is stored' } },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const result = await createToken(store, request.body.name, request.body.role);
      if (result.ok) logger.info({ token: result.value.apiToken.name, role: result.value.apiToken.role }, 'API token created (API)');
      reply.header('cache-control', 'no-store');
      return answer(reply, result, ({ token: value, apiToken }) => [201, { ...tokenJson(apiToken), token: value }]);
    },
  );

  api.delete<{ Params: { name: string } }>(
    '/tokens/:name',
    { ...owner(MESSAGES.name), schema: { params: nameParams, querystring: noQuery, response: { 204: { type: 'null' }, ...errors } } },
    async (request, reply) => {
      const result = await revokeToken(store, request.params.name);
      if (result.ok) logger.info({ token: request.params.name }, 'API token revoked (API)');
      return answer(reply, result, () => [204, null]);
    },
  );
}
