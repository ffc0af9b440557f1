// How the service answers: HTML pages for browsers and forms, JSON for the API and JSON callers.
// One place decides which, so route answers and error answers agree.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import { withHtmlSecurityHeaders } from './headers.js';
import type { SafeHtml } from '../templates/engine.js';
import { servicePage } from '../templates/site.js';

/** Paths that machines call: they get JSON, never an HTML page. */
const MACHINE_PATH = /^\/(api(\/|$)|healthz$|metrics$)/;

/** True when the answer should be JSON: an API or health path, or a request that sent JSON. */
export function answersJson(request: FastifyRequest): boolean {
  const pathOnly = (request.url ?? '/').split('?', 1)[0]!;
  return MACHINE_PATH.test(pathOnly) || (request.headers['content-type'] ?? '').startsWith('application/json');
}

/** One of our own HTML pages: security headers, never cached (pages may carry tokens). */
export function sendPage(reply: FastifyReply, config: Config, status: number, title: string, body: SafeHtml): FastifyReply {
  return withHtmlSecurityHeaders(reply)
    .code(status)
    .headers({ 'cache-control': 'no-store', 'content-type': 'text/html; charset=utf-8' })
    .send(servicePage(config, title, body));
}
