// Route validators are compiled on first use (src/server/lazy-validators.ts). Every route's schemas
// still have to compile: compileValidators() does what fastify would have done at start, for the
// whole real app, and a schema ajv refuses is caught by it (the control below).
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lazyValidators } from '../../src/server/lazy-validators.js';
import { SCHEMA_COMPILER_OPTIONS } from '../../src/server/schemas.js';
import { startHarness, type Harness } from './harness.js';

const TOKEN = 'route-schemas-test-token-0123456789';
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ adminToken: TOKEN });
  await h.server.app.ready();
});
afterAll(() => h.close());

describe('route schemas, compiled on first use', () => {
  it('a request is validated by the compiled schema on its first use', async () => {
    const res = await h.server.app.inject({ method: 'POST', url: '/api/subscribers', headers: { authorization: `Bearer ${TOKEN}` }, payload: { email: 7 } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: expect.stringMatching(/^email: /) });
  });

  it('every route schema of the app compiles', () => {
    // Sign-up, the API, the console and the provider webhooks have request schemas.
    expect(h.server.compileValidators()).toBeGreaterThan(20);
  });

  it('control: a schema ajv refuses starts fine, fails its first request, and fails compileAll', async () => {
    const validators = lazyValidators();
    const app = Fastify({ ajv: SCHEMA_COMPILER_OPTIONS, schemaController: validators.schemaController });
    app.post('/x', { schema: { body: { type: 'no-such-type' } } }, async () => ({ ok: true }));
    await app.ready();
    try {
      expect((await app.inject({ method: 'POST', url: '/x', payload: {} })).statusCode).toBe(500);
      expect(() => validators.compileAll()).toThrow(/no-such-type|type/);
    } finally {
      await app.close();
    }
  });
});
