// The scale-out settings: smtp.rateLimitScope, smtp.leaseSeconds, pollSeconds / PRESSROOM_POLL_SECONDS.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';

describe('scale-out settings', () => {
  it('reads rateLimitScope, leaseSeconds and pollSeconds from the file; the environment wins for pollSeconds', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'pressroom-config-'));
    await writeFile(path.join(cwd, 'pressroom.config.json'), JSON.stringify({ pollSeconds: 30, smtp: { rateLimit: 50, rateLimitScope: 'process', leaseSeconds: 900 } }));
    const fromFile = loadConfig({}, {}, cwd);
    expect(fromFile.smtp).toMatchObject({ rateLimit: 50, rateLimitScope: 'process', leaseSeconds: 900, maxConnections: 5 });
    expect(fromFile.pollSeconds).toBe(30);
    expect(loadConfig({}, { PRESSROOM_POLL_SECONDS: '0' }, cwd).pollSeconds).toBe(0);
    expect(loadConfig({}, { PRESSROOM_POLL_SECONDS: '2.5' }, cwd).pollSeconds).toBe(2.5);
    const defaults = loadConfig({}, {}, await mkdtemp(path.join(tmpdir(), 'pressroom-config-')));
    // The worker's default (10 s) and the pipeline's ('campaign') are the schema's now, not the callers'.
    expect(defaults.pollSeconds).toBe(10);
    expect(defaults.smtp.rateLimitScope).toBe('campaign');
  });

  it('rejects bad values with one line naming the setting', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'pressroom-config-'));
    expect(() => loadConfig({}, { PRESSROOM_POLL_SECONDS: 'soon' }, cwd)).toThrow(
      'PRESSROOM_POLL_SECONDS: "soon" is not a number of seconds (expected e.g. 10, or 0 to turn it off)',
    );
    expect(() => loadConfig({}, { PRESSROOM_POLL_SECONDS: '-1' }, cwd)).toThrow(/PRESSROOM_POLL_SECONDS: "-1" is not a number of seconds/);
    await writeFile(path.join(cwd, 'pressroom.config.json'), JSON.stringify({ smtp: { rateLimitScope: 'worker' } }));
    expect(() => loadConfig({}, {}, cwd)).toThrow(/pressroom\.config\.json: smtp\.rateLimitScope: /);
    await writeFile(path.join(cwd, 'pressroom.config.json'), JSON.stringify({ smtp: { leaseSeconds: 0 } }));
    expect(() => loadConfig({}, {}, cwd)).toThrow(/pressroom\.config\.json: smtp\.leaseSeconds: /);
  });
});
