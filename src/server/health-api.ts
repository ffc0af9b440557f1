// GET /api/health (viewer): the console's health page as JSON (src/server/health-report.ts), with
// its JSON schema (the OpenAPI document is generated from the route schemas; the response schema
// also sends nothing that is not listed).
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context.js';
import { healthReport } from './health-report.js';

const count = { type: 'integer', minimum: 0 } as const;
const counts = (...names: string[]) => ({ type: 'object', required: names, properties: Object.fromEntries(names.map((n) => [n, count])) }) as const;
const time = { type: 'string', format: 'date-time' } as const;
const nullable = <T extends { type: string }>(schema: T) => ({ ...schema, type: [schema.type, 'null'] });

const processRow = {
  type: 'object',
  required: ['workerId', 'mode', 'host', 'pid', 'startedAt', 'seenAt', 'state', 'deliveries', 'systemMail', 'events'],
  properties: {
    workerId: { type: 'string' },
    mode: { type: ['string', 'null'], description: 'start, serve or worker; null: claims without a heartbeat (a `pressroom send`)' },
    host: { type: ['string', 'null'] },
    pid: { type: ['integer', 'null'] },
    startedAt: nullable(time),
    seenAt: nullable(time),
    state: { type: 'string', enum: ['live', 'silent', 'no heartbeat'] },
    deliveries: count,
    systemMail: count,
    events: count,
  },
} as const;

const deliveryCounts = ['queued', 'sending', 'sent', 'retry', 'failed', 'unknown', 'cancelled', 'bounced', 'softBounced', 'complained', 'attempted'];

const healthSchema = {
  querystring: { type: 'object', additionalProperties: false },
  response: {
    200: {
      type: 'object',
      required: ['processes', 'ledger', 'systemMail', 'events', 'lastTick', 'transport', 'settings'],
      properties: {
        processes: { type: 'array', items: processRow },
        ledger: {
          type: 'object',
          required: ['deliveries', 'campaigns'],
          properties: { deliveries: counts(...deliveryCounts), campaigns: counts('unfinished', 'finished') },
        },
        systemMail: counts('queued', 'retrying', 'sent', 'failed'),
        events: {
          type: 'object',
          required: ['queued', 'retrying', 'delivered', 'failed', 'recentFailures'],
          properties: {
            ...counts('queued', 'retrying', 'delivered', 'failed').properties,
            recentFailures: {
              type: 'array',
              items: {
                type: 'object',
                required: ['msgId', 'type', 'attempts', 'lastStatus', 'lastError', 'createdAt'],
                properties: {
                  msgId: { type: 'string' },
                  type: { type: 'string' },
                  attempts: count,
                  lastStatus: { type: ['integer', 'null'] },
                  lastError: { type: ['string', 'null'] },
                  createdAt: time,
                },
              },
            },
          },
        },
        lastTick: { type: ['object', 'null'], required: ['at', 'ok', 'problems'], properties: { at: time, ok: { type: 'boolean' }, problems: count } },
        transport: { type: 'string', description: 'e.g. smtp://mail.example.org:587 (never a user or password)' },
        settings: {
          type: 'array',
          description: 'the effective configuration, secrets redacted (*** or a URL without its password)',
          items: { type: 'object', required: ['setting', 'value'], properties: { setting: { type: 'string' }, value: { type: 'string' } } },
        },
      },
    },
  },
} as const;

export function registerHealthRoute(api: FastifyInstance, ctx: ServerContext): void {
  api.get('/health', { schema: healthSchema }, () => healthReport(ctx));
}
