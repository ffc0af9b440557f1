// The catch-all GET/HEAD route that hands the raw path to StaticFiles (static.ts).
import type { FastifyInstance } from 'fastify';
import { FAVICON, STYLESHEET } from '../archive/style.js';
import { withHtmlSecurityHeaders } from './headers.js';
import type { StaticFiles } from './static.js';

/**
 * The service's own pages (templates/site/service.liquid) link the site's stylesheet and icon; until
 * a build has written them (or when the output lives elsewhere) they come from the package.
 */
const BUNDLED_ASSETS: Record<string, { type: string; body: string }> = {
  '/style.css': { type: 'text/css; charset=utf-8', body: STYLESHEET },
  '/favicon.svg': { type: 'image/svg+xml', body: FAVICON },
};

/** GET/HEAD for every path no other route claims: the build output. HTML pages need registerSecurityHeaders on the app. */
export function registerStaticRoute(app: FastifyInstance, files: StaticFiles): void {
  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      const raw = request.raw.url ?? '/';
      const q = raw.indexOf('?');
      const pathOnly = q === -1 ? raw : raw.slice(0, q);
      const result = await files.serve({
        method: request.method === 'HEAD' ? 'HEAD' : 'GET',
        path: pathOnly,
        ifNoneMatch: request.headers['if-none-match'],
        ifModifiedSince: request.headers['if-modified-since'],
        acceptEncoding: request.headers['accept-encoding'],
      });
      switch (result.status) {
        case 200:
        case 304:
          if (result.status === 200 && result.html) withHtmlSecurityHeaders(reply);
          reply.code(result.status).headers(result.headers);
          return result.body ? reply.send(result.body) : reply.send();
        case 301:
          return reply.code(301).header('location', result.location).send();
        case 400:
          return reply.code(400).header('content-type', 'text/plain; charset=utf-8').send('Bad request\n');
        default: {
          const asset = BUNDLED_ASSETS[pathOnly];
          if (asset)
            return reply
              .code(200)
              .headers({ 'content-type': asset.type, 'cache-control': 'public, max-age=3600' })
              .send(request.method === 'HEAD' ? undefined : asset.body);
          // The service's one not-found answer (an HTML page, or JSON under /api).
          return reply.callNotFound();
        }
      }
    },
  });
}
