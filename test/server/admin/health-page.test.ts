// The console's health page (/admin/health, viewer) and GET /api/health over real HTTP on loopback:
// the processes (heartbeat rows, claims without one), the queues, the transport, and the effective
// configuration with every secret setting of the environment table redacted.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../../src/accounts/password.js';
import { ENV_VARIABLES } from '../../../src/config/env.js';
import { HEARTBEAT_MS } from '../../../src/server/heartbeat.js';
import { startHarness, type Harness } from '../harness.js';
import { ConsoleClient } from './console-client.js';

const ADMIN_TOKEN = 'admin-token-health';
const PASSWORD = 'correct horse battery staple';
let h: Harness;
let base: string;

/** A distinctive secret for each secret setting; url-password ones as a URL with a user and that password. */
const SCHEMES: Record<string, string> = { databaseUrl: 'postgres', smtpUrl: 'smtp', 'inbound.imapUrl': 'imaps' };
const secretOf = (path: string) => `S3cret-${path.replace(/\W/g, '-')}-x9`;
const SECRETS = ENV_VARIABLES.filter((v) => v.secret);

function setPath(target: Record<string, unknown>, path: string, value: string): void {
  const keys = path.split('.');
  let at = target;
  for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
  at[keys[keys.length - 1]!] = value;
}

beforeAll(async () => {
  h = await startHarness({ adminToken: ADMIN_TOKEN });
  await h.store.addOperator({ email: 'viewer@example.org', role: 'viewer', passwordHash: await hashPassword(PASSWORD) });
  base = await h.server.app.listen({ port: 0, host: '127.0.0.1' });
  // The running server's own configuration object: what the page shows.
  for (const v of SECRETS) {
    const secret = secretOf(v.path);
    setPath(h.config as unknown as Record<string, unknown>, v.path, v.secret === 'url-password' ? `${SCHEMES[v.path] ?? 'https'}://ops:${secret}@host.example/x` : secret);
  }
  const now = Date.now();
  await h.store.beatWorker({ workerId: 'live@box', mode: 'start', host: 'box', pid: 101, startedAt: now - 60_000 }, now, 0);
  await h.store.beatWorker({ workerId: 'gone@box', mode: 'worker', host: 'box', pid: 102, startedAt: now - 600_000 }, now - 10 * HEARTBEAT_MS, 0);
  for (const email of ['a@example.org', 'b@example.org']) await h.store.addSubscriber({ email });
  const { campaign } = await h.store.createCampaign({ slug: 'c1', title: 'C1', topics: [] });
  await h.store.claimBatch(campaign.id, 'send@laptop', 1, 60_000, now);
  const sub = await h.store.addSubscriber({ email: 'p@example.org', status: 'pending' });
  await h.store.enqueueSystemMail('confirm', sub.id);
});
afterAll(async () => {
  await h?.close();
});

it('shows live and silent processes, claims without a heartbeat, the queues and the transport', async () => {
  const c = new ConsoleClient(base);
  await c.signIn('viewer@example.org', PASSWORD);
  const page = await c.get('/admin/health');
  expect(page.status).toBe(200);
  const rows = [...page.body.matchAll(/<tr>\s*<td data-label="Worker id" class="title">([^<]+)<\/td>\s*<td data-label="State">([^<]+)<\/td>/g)].map((m) => `${m[1]}=${m[2]}`);
  expect(rows).toEqual(['gone@box=silent', 'live@box=live', 'send@laptop=no heartbeat']);
  expect(page.body).toMatch(/<dt>Queued<\/dt><dd>1<\/dd>\n<dt>Sending<\/dt><dd>1<\/dd>/); // the ledger: one claimed, one waiting
  expect(page.body).toContain(`<p>${h.transport.description}</p>`);
  expect(h.transport.description).toMatch(/^SMTP smtp:\/\/127\.0\.0\.1:\d+ /);
});

it('redacts every secret setting of the environment table, on the page and in GET /api/health', async () => {
  const c = new ConsoleClient(base);
  await c.signIn('viewer@example.org', PASSWORD);
  const page = (await c.get('/admin/health')).body;
  // (The admin token is one of the secrets replaced above: the viewer's session reads the API.)
  const api = await c.get('/api/health');
  expect(api.status).toBe(200);
  const json = api.body;
  expect(SECRETS.length).toBeGreaterThanOrEqual(8);
  for (const v of SECRETS) {
    const secret = secretOf(v.path);
    expect(page, v.name).not.toContain(secret);
    expect(json, v.name).not.toContain(secret);
    // Shown, redacted (so the check above is about a row that is there).
    const shown = v.secret === 'url-password' ? `ops:***@host.example/x` : '***';
    expect(page, v.name).toContain(
      `<td data-label="Setting"><code>${v.path}</code></td><td data-label="Value" class="title"><code>${v.secret === 'url-password' ? `${SCHEMES[v.path]}://${shown}` : shown}</code></td>`,
    );
  }
  // And the settings that are not secret are there as they are.
  expect(page).toContain('<code>site.title</code></td><td data-label="Value" class="title"><code>Test Weekly</code>');
  const report = JSON.parse(json) as { settings: Array<{ setting: string; value: string }>; processes: unknown[] };
  expect(report.settings.find((s) => s.setting === 'smtp.leaseSeconds')?.value).toBe('1800');
  expect(report.processes).toHaveLength(3);
});
