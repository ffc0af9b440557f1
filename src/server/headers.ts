// Security headers for every HTML page we send, built or generated, through @fastify/helmet,
// configured here once. The archive shows cover images from other hosts, so images may come from
// anywhere over http(s); nothing else may. Only these four headers: helmet's other defaults
// (HSTS, COOP/CORP, ...) are the reverse proxy's business and stay off.
import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The archive's subscribe form posts to the configured site URL, which may be another origin
 * than the one the page came from (a CDN in front, http vs https), so that origin may receive
 * forms too.
 */
function formTargets(siteUrl: string | undefined): string {
  if (!siteUrl) return "'self'";
  try {
    return `'self' ${new URL(siteUrl).origin}`;
  } catch {
    return "'self'"; // an invalid URL was rejected by loadConfig already
  }
}

/** siteUrl is read per response: the service may adjust it once it knows its port. */
function securityHeaderOptions(siteUrl: () => string | undefined): FastifyHelmetOptions {
  return {
    // Only HTML gets them (withHtmlSecurityHeaders); feeds, JSON and files have their own.
    global: false,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'img-src': ["'self'", 'https:', 'http:', 'data:'],
        'style-src': ["'self'", "'unsafe-inline'"],
        'script-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': [() => formTargets(siteUrl())],
        'frame-ancestors': ["'none'"],
      },
    },
    // Token URLs never leak through Referer.
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    strictTransportSecurity: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xPoweredBy: false,
    xXssProtection: false,
  };
}

export async function registerSecurityHeaders(app: FastifyInstance, siteUrl: () => string | undefined): Promise<void> {
  await app.register(fastifyHelmet, securityHeaderOptions(siteUrl));
}

/**
 * Puts the HTML security headers on this reply. reply.helmet exists from the onRequest hook on;
 * an answer given before routing (fastify's frameworkErrors: a URL with bad percent-encoding)
 * has none, and that page is fixed text.
 */
export function withHtmlSecurityHeaders(reply: FastifyReply): FastifyReply {
  if (typeof reply.helmet === 'function') reply.helmet();
  return reply;
}
