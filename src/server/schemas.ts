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

/** GET /api/subscribers: filter and keyset page. */
export function subscriberQuerySchema(statuses: readonly string[]): RouteSchema {
  return {
    schema: {
      querystring: {
        type: 'object',
        properties: {
          status: { type: 'string', enum: [...statuses] },
          after: { type: 'string', pattern: '^-?[0-9]{1,15}$' },
          limit: { type: 'string', pattern: '^0*(?:[1-9][0-9]{0,2}|1000)$', default: '100' },
        },
      },
    },
    schemaErrorFormatter: formatter({ ...FIELD_MESSAGES, status: statusMessage(statuses) }, FIELD_MESSAGES.limit),
  };
}
