// JSON schemas for what visitors and operators send, checked by fastify before the handler, and
// the one-line messages they answer with (naming the field, as the hand-written checks did). The
// rules about values (what an address is, name length, topic limits) stay in src/domain/ through
// input.ts; schemas check shapes. Without type coercion (SCHEMA_COMPILER_OPTIONS): a JSON number
// or true in a text field is refused, as before, not read as text; so query numbers are checked
// as digit strings and converted by the route.
import type { FastifySchema, FastifySchemaValidationError } from 'fastify';

/** fastify's route option `schemaErrorFormatter` (its type is not exported by name). */
type SchemaErrorFormatter = (errors: FastifySchemaValidationError[], dataVar: string) => Error;

const FIELD_MESSAGES = {
  email: 'email: required',
  name: 'name: expected text',
  topics: 'topics: expected a list of text values',
  limit: 'limit: expected an integer from 1 to 1000',
  after: 'after: expected a subscriber id',
  q: 'q: expected text of at most 200 characters',
  topic: 'topic: expected text of at most 100 characters',
  id: 'id: expected a subscriber id',
  confirm: 'confirm: expected yes',
} as const;

type Field = keyof typeof FIELD_MESSAGES | 'status';

/** For Fastify({ ajv }): fastify's defaults, less coerceTypes; union types (a string or a list of topics) are meant, so ajv's strict mode must not warn about them at every start. */
export const SCHEMA_COMPILER_OPTIONS = { customOptions: { coerceTypes: false, allowUnionTypes: true } } as const;

const text = { type: 'string' } as const;
const topics = { type: ['string', 'array'], items: text } as const;

/** The field an ajv error is about: a missing property, or the first step of its path. */
function fieldOf(error: FastifySchemaValidationError): string {
  const missing = error.params.missingProperty;
  if (typeof missing === 'string') return missing;
  return error.instancePath.split('/')[1] ?? '';
}

/**
 * The first error as a one-line message naming its field. `whole` answers for a body that is not
 * an object at all (none sent, or text): today's message for its first required field.
 */
export function formatter<F extends string = Field>(messages: Partial<Record<F, string>>, whole: string): SchemaErrorFormatter {
  return (errors) => {
    const first = errors[0];
    const field = first ? fieldOf(first) : '';
    return new Error(messages[field as F] ?? whole);
  };
}

export interface RouteSchema {
  schema: FastifySchema;
  schemaErrorFormatter: SchemaErrorFormatter;
}

const statusMessage = (statuses: readonly string[]) => `status: expected one of ${statuses.join(', ')}`;

/** POST /subscribe and POST /api/issues/:slug/test (email only). */
export function signUpSchema(): RouteSchema {
  return {
    schema: {
      body: { type: 'object', required: ['email'], properties: { email: text, name: { type: ['string', 'null'] }, topics } },
    },
    schemaErrorFormatter: formatter(FIELD_MESSAGES, FIELD_MESSAGES.email),
  };
}

/** POST /preferences: the topics a subscriber wants (none = everything). */
export function preferencesSchema(): RouteSchema {
  return {
    schema: { body: { type: 'object', properties: { topics } } },
    schemaErrorFormatter: formatter(FIELD_MESSAGES, FIELD_MESSAGES.topics),
  };
}

/** POST /api/subscribers: a sign-up plus the status to store (default active). */
export function newSubscriberSchema(statuses: readonly string[]): RouteSchema {
  return {
    schema: {
      body: {
        type: 'object',
        required: ['email'],
        properties: { email: text, name: { type: ['string', 'null'] }, topics, status: { type: 'string', enum: [...statuses], default: 'active' } },
      },
    },
    schemaErrorFormatter: formatter({ ...FIELD_MESSAGES, status: statusMessage(statuses) }, FIELD_MESSAGES.email),
  };
}

/** A subscriber as the API answers with it (the Subscriber of src/storage/store.ts). */
const subscriberObject = {
  type: 'object',
  required: ['id', 'email', 'name', 'status', 'topics', 'createdAt', 'confirmedAt', 'unsubscribedAt', 'source'],
  properties: {
    id: { type: 'integer' },
    email: text,
    name: { type: ['string', 'null'] },
    status: text,
    topics: { type: 'array', items: text },
    createdAt: text,
    confirmedAt: { type: ['string', 'null'] },
    unsubscribedAt: { type: ['string', 'null'] },
    source: { type: ['string', 'null'] },
  },
} as const;

const problem = { type: 'object', properties: { error: text } } as const;
const subscriberId = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,15}$' } } } as const;

/** The filter of GET /api/subscribers and GET /api/subscribers.csv. */
function filterProperties(statuses: readonly string[]) {
  return {
    q: { type: 'string', maxLength: 200 },
    status: { type: 'string', enum: [...statuses] },
    topic: { type: 'string', maxLength: 100 },
  } as const;
}

/** GET /api/subscribers: filter and keyset page; `next` is the `after` of the next page (null on the last). */
export function subscriberQuerySchema(statuses: readonly string[]): RouteSchema {
  return {
    schema: {
      querystring: {
        type: 'object',
        properties: {
          ...filterProperties(statuses),
          after: { type: 'string', pattern: '^-?[0-9]{1,15}$' },
          limit: { type: 'string', pattern: '^0*(?:[1-9][0-9]{0,2}|1000)$', default: '100' },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['subscribers', 'next', 'total'],
          properties: {
            subscribers: { type: 'array', items: subscriberObject },
            next: { type: ['integer', 'null'] },
            total: { type: 'object', required: ['count', 'capped'], properties: { count: { type: 'integer' }, capped: { type: 'boolean' } } },
          },
        },
      },
    },
    schemaErrorFormatter: formatter({ ...FIELD_MESSAGES, status: statusMessage(statuses) }, FIELD_MESSAGES.limit),
  };
}

/** GET /api/subscribers.csv: the same filter, every page. */
export function subscriberExportSchema(statuses: readonly string[]): RouteSchema {
  return {
    schema: {
      querystring: { type: 'object', properties: filterProperties(statuses) },
      response: { 200: { type: 'string', description: 'text/csv: email,name,topics,status,source,created_at,confirmed_at,unsubscribed_at' } },
    },
    schemaErrorFormatter: formatter({ ...FIELD_MESSAGES, status: statusMessage(statuses) }, FIELD_MESSAGES.q),
  };
}

/** PATCH /api/subscribers/:id: any of name, topics, status. */
export function subscriberPatchSchema(statuses: readonly string[]): RouteSchema {
  return {
    schema: {
      params: subscriberId,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: { name: { type: ['string', 'null'] }, topics, status: { type: 'string', enum: [...statuses] } },
      },
      response: { 200: subscriberObject, 400: problem, 404: problem },
    },
    schemaErrorFormatter: formatter({ ...FIELD_MESSAGES, status: statusMessage(statuses) }, 'body: expected an object with name, topics or status'),
  };
}

/** DELETE /api/subscribers/:ref: a subscriber id, or (as before ids were accepted) an address. */
export function subscriberEraseSchema(): RouteSchema {
  return {
    schema: {
      params: { type: 'object', required: ['ref'], properties: { ref: { type: 'string', minLength: 1, maxLength: 320 } } },
      response: { 404: problem },
    },
    schemaErrorFormatter: formatter(FIELD_MESSAGES, FIELD_MESSAGES.id),
  };
}
