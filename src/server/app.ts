// The HTTP service: build output (feeds + archive), sign-up/unsubscribe pages, operator API,
// health and metrics, in one fastify instance.
import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { defaultWorkerBase } from '../delivery/worker-id.js';
import { feedLinkHeader } from '../feeds/websub.js';
import { registerAdminRoutes } from './admin/routes.js';
import { LOGIN_RATE_LIMIT } from './admin/session-policy.js';
import { registerApiRoutes } from './api.js';
import type { ServerContext } from './context.js';
import { frameworkErrorHandler, registerErrorHandlers } from './errors.js';
import { registerSecurityHeaders } from './headers.js';
import { lazyValidators } from './lazy-validators.js';
import { SCHEMA_COMPILER_OPTIONS } from './schemas.js';
import { registerHealthRoutes } from './metrics.js';
import { IssueSource } from './issue-source.js';
import { SystemMailer } from './mailer.js';
import { recordApiRoutes } from './openapi.js';
import { registerRateLimits, type RateLimitOptions } from './rate-limit.js';
import { StaticFiles } from './static.js';
import { registerStaticRoute } from './static-route.js';
import { registerSubscriptionRoutes } from './subscription.js';
import { fastifyTrustProxy, type TrustProxy } from './trust-proxy.js';
import { registerWebhookRoutes, type WebhookOptions } from '../webhooks/routes.js';

/** What buildServer needs; the rest of the ServerContext it builds itself. */
export interface ServerDeps extends Pick<ServerContext, 'config' | 'store' | 'transport' | 'logger' | 'secret' | 'runner'>, Partial<Pick<ServerContext, 'issues' | 'now'>> {
  /** Sign-ups per client address; default 10 per 10 minutes. */
  rateLimit?: RateLimitOptions;
  /** Console sign-in attempts per client address; default LOGIN_RATE_LIMIT (10 per 10 minutes). */
  loginRateLimit?: RateLimitOptions;
  /** Proxies whose X-Forwarded-For entries are believed (src/server/trust-proxy.ts); default none. */
  trustProxy?: TrustProxy;
  /** The process's system mail queue (startService passes its own); default: one made and started here. */
  mailer?: SystemMailer;
  /** How the provider webhooks reach out (src/webhooks/routes.ts); default: the real thing. */
  webhooks?: WebhookOptions;
}

export interface PressroomServer {
  app: FastifyInstance;
  context: ServerContext;
  /** Compiles every route's request validators now (they are built on first use: lazy-validators.ts); returns how many. */
  compileValidators(): number;
  /** Stops accepting requests, waits for in-flight ones and for the system emails being sent. */
  close(): Promise<void>;
}

/** Form and JSON bodies are small; the CSV import raises its own limit. */
const BODY_LIMIT = 16 * 1024;

export async function buildServer(deps: ServerDeps): Promise<PressroomServer> {
  const validators = lazyValidators();
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Request URLs carry tokens; the reverse proxy keeps access logs if wanted.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    trustProxy: fastifyTrustProxy(deps.trustProxy),
    return503OnClosing: true,
    // A client gets a minute for its whole request (slow-loris protection beyond Node's defaults).
    requestTimeout: 60_000,
    frameworkErrors: frameworkErrorHandler(deps.config),
    ajv: SCHEMA_COMPILER_OPTIONS,
    schemaController: validators.schemaController,
  });
  const context: ServerContext = {
    config: deps.config,
    store: deps.store,
    transport: deps.transport,
    logger: deps.logger,
    secret: deps.secret,
    runner: deps.runner,
    issues: deps.issues ?? new IssueSource(deps.config),
    mailer:
      deps.mailer ??
      new SystemMailer({
        config: deps.config,
        store: deps.store,
        transport: deps.transport,
        secret: deps.secret,
        logger: deps.logger,
        workerId: defaultWorkerBase('serve', deps.config.workerId),
      }),
    rateLimit: deps.rateLimit ?? { max: 10, windowMs: 10 * 60 * 1000 },
    loginRateLimit: deps.loginRateLimit ?? LOGIN_RATE_LIMIT,
    now: deps.now ?? Date.now,
  };

  // First: routes keep the error handler that is in force when they are added.
  registerErrorHandlers(app, deps.config);
  await registerSecurityHeaders(app, () => deps.config.site.url);
  await registerRateLimits(app);
  await app.register(formbody, { bodyLimit: BODY_LIMIT });
  // RFC 8058 allows the one-click body as multipart/form-data; keep it as text for isOneClick().
  app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));

  const openApi = recordApiRoutes(app);
  registerSubscriptionRoutes(app, context);
  await registerApiRoutes(app, context, openApi);
  await registerAdminRoutes(app, context);
  registerHealthRoutes(app, context);
  await registerWebhookRoutes(app, context, deps.webhooks);
  const linkHeader = feedLinkHeader(deps.config.site.url, deps.config.feeds.websubHubs);
  registerStaticRoute(app, new StaticFiles(deps.config.outDir, { linkHeader }));

  context.mailer.start();

  return {
    app,
    context,
    compileValidators: () => validators.compileAll(),
    async close() {
      await app.close();
      await context.mailer.stop();
    },
  };
}
