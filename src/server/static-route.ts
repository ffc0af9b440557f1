// The catch-all GET/HEAD route that hands the raw path to StaticFiles (static.ts).
import type { FastifyInstance } from 'fastify';
import { withHtmlSecurityHeaders } from './headers.js';
import type { StaticFiles } from './static.js';

/** GET/HEAD for every path no other route claims: the build output. HTML pages need registerSecurityHeaders on the app. */
export function registerStaticRoute(app: FastifyInstance, files: StaticFiles): void {
  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      const raw = request.raw.url ?? '/';
      const q = raw.indexOf('?');
      const result = await files.serve({
        method: request.method === 'HEAD' ? 'HEAD' : 'GET',
        path: q === -1 ? raw : raw.slice(0, q),
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
        default:
          // The service's one not-found answer (an HTML page, or JSON under /api).
          return reply.callNotFound();
      }
    },
  });
}
