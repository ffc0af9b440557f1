// GET /api/openapi.json through the real fastify app: an OpenAPI 3.1 document generated from the
// routes' own schemas, listing every /api route the server has (and nothing outside /api), each
// with the request schemas fastify validates with; behind the API's auth like the rest of /api.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

const TOKEN = 'openapi-test-token-0123456789';

describe('the OpenAPI document', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ adminToken: TOKEN });
  });

  /** Every method and path the server has, read from fastify's own route tree ("│   └── /:slug/send (POST)"). */
  function serverRoutes(): string[] {
    const found: string[] = [];
    const stack: string[] = [];
    for (const line of h.server.app.printRoutes({ commonPrefix: false }).split('\n')) {
      const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line);
      if (!m) continue;
      const depth = m[1]!.length / 4;
      stack.length = depth;
      stack.push(m[2]!);
      for (const method of (m[3] ?? '').split(', ').filter((x) => x && x !== 'HEAD')) found.push(`${method.toLowerCase()} ${stack.join('')}`);
    }
    return found;
  }
  afterAll(async () => h?.close());

  const get = (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) => h.server.app.inject({ method: 'GET', url: '/api/openapi.json', headers });

  it('is refused without a token, like every /api route', async () => {
    expect((await get({})).statusCode).toBe(401);
  });

  it('lists the /api routes with their schemas, and no page, feed or provider webhook', async () => {
    const answer = await get();
    expect(answer.statusCode).toBe(200);
    const doc = answer.json() as {
      openapi: string;
      info: { version: string };
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: unknown }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    const paths = Object.keys(doc.paths);
    expect(paths.length).toBeGreaterThan(8);
    for (const p of paths) expect(p).toMatch(/^\/api\//);
    expect(paths).not.toContain('/api/openapi.json');
    expect(Object.keys(doc.paths['/api/subscribers']!).sort()).toEqual(expect.arrayContaining(['get', 'post']));
    expect(doc.paths['/api/campaigns/{slug}']?.get?.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'slug', in: 'path' })]));
    // The sign-up body schema fastify checks is the one documented.
    expect(doc.paths['/api/subscribers']!.post!.requestBody).toMatchObject({ content: { 'application/json': { schema: { properties: { email: expect.any(Object) } } } } });
    expect(doc.paths['/api/events']?.get).toBeDefined();
    // Every /api route the server answers is in the document, under its OpenAPI path.
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)));
    const routes = serverRoutes().filter((r) => / \/api\//.test(r) && !r.endsWith('/api/openapi.json') && !r.endsWith('/*'));
    expect(routes.length).toBeGreaterThan(8);
    // Where routes name one segment's parameter differently (:id, :ref), the tree prints ":id|:ref": any one is the route.
    const candidates = (r: string): string[] => {
      const m = /:(\w+)(?:\|:(\w+))+/.exec(r);
      if (!m) return [r.replace(/:(\w+)/g, '{$1}')];
      return m[0].split('|').flatMap((param) => candidates(r.replace(m[0], param)));
    };
    expect(routes.filter((r) => !candidates(r).some((c) => documented.has(c)))).toEqual([]);
  });
});
