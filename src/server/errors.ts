// The service's answers for errors: bad input gets a 4xx with a message meant for the visitor or
// operator; anything else gets a generic 500, with the detail only in the log. Registered before
// any route, because fastify routes keep the error handler in force when they are added. HTML pages
// take their titles and sentences from the site's catalogue; a 400's reason and JSON answers stay
// in the API's words (they name the field or the header to fix).
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import { messages } from '../i18n/catalogue.js';
import { InvalidEmailError } from '../storage/store.js';
import { message as messageBody } from './pages.js';
import { answersJson, sendPage } from './reply.js';

/** Messages for fastify's own request errors, in our words (theirs name internals). */
const REQUEST_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty; expected JSON.',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is too large.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported content type; send a form (application/x-www-form-urlencoded) or JSON.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The request body does not match its Content-Length.',
  FST_ERR_CTP_INVALID_TYPE: 'The request has no valid Content-Type.',
  FST_ERR_BAD_URL: 'The address is not valid (bad percent-encoding).',
};

export const GENERIC_ERROR = 'Something went wrong on our side. Please try again later.';

/** Status and user message for an error, or null when it is ours (a 500). */
export function userError(err: unknown): { status: number; message: string } | null {
  if (err instanceof InvalidEmailError) return { status: 400, message: err.message };
  const e = err as Partial<FastifyError>;
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status < 400 || status >= 500) return null;
  const known = e.code ? REQUEST_ERRORS[e.code] : undefined;
  if (known) return { status, message: known };
  // Schema validation messages name the field and what was expected.
  if (e.validation && e.message) return { status, message: e.message };
  return { status, message: `${STATUS_CODES[status] ?? 'Bad request'}.` };
}

/** An error answer: `message` for JSON callers, `page` (catalogue words, or the 400's reason) for people. */
type Answer = (request: FastifyRequest, reply: FastifyReply, status: number, message: string) => FastifyReply;

function answerer(config: Config): Answer {
  const t = messages(config.site.language, { site: config.site.title });
  return (request, reply, status, message) => {
    if (answersJson(request)) return reply.code(status).header('cache-control', 'no-store').send({ error: message });
    const [title, text] = status === 404 ? [t.title_not_found, t.error_not_found] : status >= 500 ? [t.title_error, t.error_ours] : [t.title_bad_request, message];
    return sendPage(reply, config, status, title, messageBody(text, { error: true, link: { href: '/', label: t.link_start_page } }));
  };
}

/** The error handler for everything a route or a body parser throws. */
function handleError(answer: Answer) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const known = userError(err);
    if (known) return answer(request, reply, known.status, known.message);
    // The route pattern, not the URL: URLs carry personal tokens.
    request.log.error({ err, method: request.method, route: request.routeOptions.url }, 'request failed');
    return answer(request, reply, 500, GENERIC_ERROR);
  };
}

/**
 * For fastify's `frameworkErrors` option: errors found before any route is chosen (a URL with bad
 * percent-encoding) never reach setErrorHandler.
 */
export function frameworkErrorHandler(config: Config) {
  return handleError(answerer(config));
}

export function registerErrorHandlers(app: FastifyInstance, config: Config): void {
  const answer = answerer(config);
  app.setErrorHandler(handleError(answer));
  app.setNotFoundHandler((request, reply) => answer(request, reply, 404, 'There is nothing at this address.'));
}
