// The HTTP service: build output (feeds + archive), sign-up/unsubscribe pages, operator API,
// health and metrics, in one fastify instance.
import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerApiRoutes } from './api.js';
import type { ServerContext } from './context.js';
import { registerHealthRoutes } from './metrics.js';
import { IssueSource } from './issue-source.js';
import { SystemMailer } from './mailer.js';
import type { RateLimitOptions } from './rate-limit.js';
import { StaticFiles } from './static.js';
import { registerStaticRoute } from './static-route.js';
import { registerSubscriptionRoutes } from './subscription.js';
import { fastifyTrustProxy, type TrustProxy } from './trust-proxy.js';

/** What buildServer needs; the rest of the ServerContext it builds itself. */
export interface ServerDeps
  extends Pick<ServerContext, 'config' | 'store' | 'transport' | 'logger' | 'secret' | 'runner'>,
    Partial<Pick<ServerContext, 'issues' | 'now'>> {
  /** Sign-ups per client address; default 10 per 10 minutes. */
  rateLimit?: RateLimitOptions;
  /** Proxies whose X-Forwarded-For entries are believed (src/server/trust-proxy.ts); default none. */
  trustProxy?: TrustProxy;
}

export interface PressroomServer {
  app: FastifyInstance;
  context: ServerContext;
  /** Stops accepting requests, waits for in-flight ones and background emails. */
  close(): Promise<void>;
}

/** Form and JSON bodies are small; the CSV import raises its own limit. */
const BODY_LIMIT = 16 * 1024;

export async function buildServer(deps: ServerDeps): Promise<PressroomServer> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Request URLs carry tokens; the reverse proxy keeps access logs if wanted.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    trustProxy: fastifyTrustProxy(deps.trustProxy),
    return503OnClosing: true,
    // A client gets a minute for its whole request (slow-loris protection beyond Node's defaults).
    requestTimeout: 60_000,
  });
  const context: ServerContext = {
    config: deps.config,
    store: deps.store,
    transport: deps.transport,
    logger: deps.logger,
    secret: deps.secret,
    runner: deps.runner,
    issues: deps.issues ?? new IssueSource(deps.config),
    mailer: new SystemMailer(deps.config, deps.transport, deps.secret, deps.logger),
    rateLimit: deps.rateLimit ?? { max: 10, windowMs: 10 * 60 * 1000 },
    now: deps.now ?? Date.now,
  };

  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  // RFC 8058 allows the one-click body as multipart/form-data; keep it as text for isOneClick().
  app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  registerSubscriptionRoutes(app, context);
  await registerApiRoutes(app, context);
  registerHealthRoutes(app, context);
  registerStaticRoute(app, new StaticFiles(deps.config.outDir, { siteUrl: () => deps.config.site.url }));

  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('Not found\n');
  });
  app.setErrorHandler((err: { statusCode?: number; message: string }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) request.log.error({ err, method: request.method, path: request.routeOptions.url }, 'request failed');
    reply.code(status).send({ error: status >= 500 ? 'internal error' : err.message });
  });

  return {
    app,
    context,
    async close() {
      await app.close();
      await context.mailer.drain();
    },
  };
}
