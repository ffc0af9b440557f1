// The console's issues pages and campaign buttons over real HTTP on loopback (real SQLite, a real
// loopback SMTP server): what `check` sees, the email preview in a sandboxed frame, test sends to
// an address and to the saved list, send (two editors at once: one campaign), retry, the live
// stream read with the session cookie, and a viewer who sees no buttons and is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hashPassword } from '../../../src/accounts/password.js';
import { startHarness, writeIssue, type Harness } from '../harness.js';
import { waitFor } from '../../support/wait.js';
import { ConsoleClient, csrfIn } from './console-client.js';

const PASSWORD = 'correct horse battery staple';
let h: Harness;
let base: string;
const editors: ConsoleClient[] = [];
let viewer: ConsoleClient;

beforeAll(async () => {
  h = await startHarness({
    smtp: { rcpt: (to, attempt) => (to === 'later@example.org' && attempt === 1 ? { code: 451, message: '4.7.1 Try again later' } : null) },
    configure: (c) => (c.smtp.maxAttempts = 1),
  });
  const passwordHash = await hashPassword(PASSWORD);
  for (const [email, role] of [
    ['ed1@example.org', 'editor'],
    ['ed2@example.org', 'editor'],
    ['viewer@example.org', 'viewer'],
  ] as const)
    await h.store.addOperator({ email, role, passwordHash });
  await h.store.importSubscribers([
    { email: 'a@example.org' },
    { email: 'b@example.org', topics: ['rust'] },
    { email: 'c@example.org', topics: ['go'] },
    { email: 'later@example.org' },
  ]);
  await writeIssue(h.config, { slug: 'ready', title: 'Ready <now>', date: '2026-01-05T09:00:00Z', tags: ['Rust'] });
  await writeIssue(h.config, { slug: 'soon', date: '2099-01-01T09:00:00Z' });
  await writeIssue(h.config, { slug: 'sketch', date: '2026-01-04T09:00:00Z', draft: true });
  await writeFile(path.join(h.config.issuesDir, 'broken.md'), '---\ntitle: Broken\ndate: not a date\n---\n\nBody.\n');
  base = await h.server.app.listen({ port: 0, host: '127.0.0.1' });
  for (const email of ['ed1@example.org', 'ed2@example.org']) {
    const c = new ConsoleClient(base);
    expect((await c.signIn(email, PASSWORD)).status).toBe(303);
    editors.push(c);
  }
  viewer = new ConsoleClient(base);
  expect((await viewer.signIn('viewer@example.org', PASSWORD)).status).toBe(303);
});
afterAll(async () => {
  await h?.close();
});

describe('/admin/issues', () => {
  it('lists what check sees: the due issue, the scheduled one, the draft, and the problem with file and line', async () => {
    const page = await editors[0]!.get('/admin/issues');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<a href="/admin/issues/ready">Ready &lt;now&gt;</a>');
    expect(page.body).toMatch(
      /href="\/admin\/issues\/soon">[^<]*<\/a><\/td>\n<td data-label="Status" class="title">scheduled<br><small>is emailed at 2099-01-01T09:00:00Z<\/small>/,
    );
    expect(page.body).toMatch(/href="\/admin\/issues\/sketch">[^<]*<\/a><\/td>\n<td data-label="Status" class="title">draft/);
    expect(page.body).toMatch(/<li><code>broken\.md:3:[^<]*date[^<]*<\/code><\/li>/);
    expect(page.body).toContain('<a href="/admin/issues">Issues</a>');
  });

  it("an issue's page: recipients per topic, the preview in a sandboxed frame served with CSP sandbox, the text part and the headers", async () => {
    const page = await editors[0]!.get('/admin/issues/ready');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<dt>Recipients now</dt><dd>3</dd>');
    expect(page.body).toContain('<dt>Wanting everything</dt><dd>2</dd>');
    expect(page.body).toContain('<dt>Topic rust</dt><dd>1</dd>');
    expect(page.body).toContain('<iframe class="preview" title="The HTML part of the email" sandbox src="/admin/issues/ready/preview"></iframe>');
    expect(page.body).toMatch(/<pre class="part"[^>]*>[^<]*Body of ready\./);
    expect(page.body).toMatch(/<pre class="part"[^>]*>[^<]*Subject: Ready &lt;now&gt;/);
    const preview = await fetch(new URL('/admin/issues/ready/preview', base), { headers: { cookie: `pressroom_session=${editors[0]!.jar.get('pressroom_session')}` } });
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none';/);
    expect(await preview.text()).toContain('Body of ready.');
    // Not for strangers.
    expect((await fetch(new URL('/admin/issues/ready/preview', base), { redirect: 'manual' })).status).toBe(303);
  });

  it('test-sends to an address, saves a test list (checked) and sends to it', async () => {
    const c = editors[0]!;
    const csrf = await c.csrf('/admin/issues/ready');
    const one = await c.post('/admin/issues/ready/test', { _csrf: csrf, email: 'qa@example.org' });
    expect(one.status).toBe(200);
    expect(one.body).toContain('Test copy: qa@example.org: sent (250)');
    await h.waitForMail('qa@example.org');
    expect((await c.post('/admin/issues/ready/test', { _csrf: csrf, to: 'list' })).status).toBe(409);
    const bad = await c.post('/admin/issues/ready/test-addresses', { _csrf: csrf, addresses: 'x1@example.org\nnope' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('addresses, entry 2:');
    const saved = await c.post('/admin/issues/ready/test-addresses', { _csrf: csrf, addresses: 'x1@example.org\nx2@example.org' });
    expect([saved.status, saved.location]).toEqual([303, '/admin/issues/ready']);
    const list = await c.post('/admin/issues/ready/test', { _csrf: csrf, to: 'list' });
    expect(list.body).toContain('Test copy: x1@example.org: sent (250); x2@example.org: sent (250)');
    await h.waitForMail('x2@example.org');
  });
});

describe('an email template that cannot render', () => {
  it("is one line on the issue's page, and the preview route answers it as text", async () => {
    const dir = path.join(h.root, 'broken-emails');
    cpSync(h.config.email.templatesDir, dir, { recursive: true });
    const file = path.join(dir, 'issue.mjml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace(/<mj-button/g, '<mj-buton')
        .replace(/<\/mj-button>/g, '</mj-buton>'),
    );
    const good = h.config.email.templatesDir;
    h.config.email.templatesDir = dir;
    try {
      const page = await editors[0]!.get('/admin/issues/ready');
      expect(page.status).toBe(200);
      expect(page.body).toMatch(/The email cannot be rendered: <code>[^<]*issue\.mjml:\d+: MJML: Element mj-buton/);
      expect(page.body).not.toContain('<iframe');
      const preview = await editors[0]!.get('/admin/issues/ready/preview');
      expect(preview.status).toBe(500);
      expect(preview.body).toMatch(/issue\.mjml:\d+: MJML: Element mj-buton/);
    } finally {
      h.config.email.templatesDir = good;
    }
  });
});

describe('send from the console', () => {
  it('two editors clicking send at once create one campaign; both land on its page', async () => {
    const forms = await Promise.all(editors.map((c) => c.csrf('/admin/issues/ready')));
    expect((await editors[0]!.get('/admin/issues/ready')).body).toContain('>Send to 3 recipients</button>');
    const answers = await Promise.all(editors.map((c, i) => c.post('/admin/issues/ready/send', { _csrf: forms[i]! })));
    expect(answers.map((a) => [a.status, a.location])).toEqual([
      [303, '/admin/campaigns/ready'],
      [303, '/admin/campaigns/ready'],
    ]);
    expect((await h.store.listCampaigns()).map((c) => c.slug)).toEqual(['ready']);
    await waitFor(async () => (await h.store.getCampaign('ready'))?.finishedAt, { what: 'the campaign finished' });
    for (const to of ['a@example.org', 'b@example.org']) expect(h.smtp.countFor(to), to).toBe(1);
    // Sent: no send button any more.
    expect((await editors[0]!.get('/admin/issues/ready')).body).not.toMatch(/>Send to \d+ recipients/);
  });

  it('the campaign page shows the errors by SMTP answer; retry sends the temporary failure again', async () => {
    const c = editors[1]!;
    const page = await c.get('/admin/campaigns/ready');
    expect(page.body).toContain('<td data-label="Code">451</td><td data-label="Response" class="title">4.7.1 try again later</td><td data-label="Failed" class="n">1</td>');
    expect(page.body).toContain('<td data-label="Worker">test-worker</td><td data-label="Sent" class="n">2</td>');
    // Finished: a static page, no stream to follow.
    expect(page.body).not.toContain('data-stream=');
    expect(page.body).toContain('action="/admin/campaigns/ready/retry"');
    expect((await viewer.get('/admin/campaigns/ready')).body).not.toContain('/retry"');
    const retried = await c.post('/admin/campaigns/ready/retry', { _csrf: csrfIn(page.body) });
    expect([retried.status, retried.location]).toEqual([303, '/admin/campaigns/ready']);
    await h.waitForMail('later@example.org');
  });

  it('the live stream answers the session cookie, as the page script uses it', async () => {
    const res = await fetch(new URL('/api/campaigns/ready/stream', base), { headers: { cookie: `pressroom_session=${viewer.jar.get('pressroom_session')}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await res.text()).toMatch(/^event: report\ndata: \{.*\}\n\n(event: report\ndata: .*\n\n)*event: end\ndata: \{\}\n\n$/s);
    const script = await viewer.get('/admin/campaign-live.js');
    expect(script.body).toContain('new EventSource(root.dataset.stream)');
  });
});

describe('a viewer', () => {
  it('sees no send, test or retry forms, and their POSTs are refused', async () => {
    const issue = await viewer.get('/admin/issues/ready');
    expect(issue.status).toBe(200);
    expect(issue.body).not.toMatch(/action="\/admin\/issues\/ready\/(send|test)/);
    await writeIssue(h.config, { slug: 'fresh', date: '2026-01-06T09:00:00Z' });
    const csrf = await viewer.csrf('/admin/issues/fresh');
    expect((await viewer.get('/admin/issues/fresh')).body).not.toMatch(/>Send to \d+ recipients/);
    for (const [p, form] of [
      ['/admin/issues/fresh/send', {}],
      ['/admin/issues/fresh/test', { email: 'qa@example.org' }],
      ['/admin/issues/fresh/test-addresses', { addresses: 'v@example.org' }],
      ['/admin/campaigns/ready/retry', {}],
    ] as const) {
      const res = await viewer.post(p, { _csrf: csrf, ...form });
      expect(res.status, p).toBe(403);
      expect(res.body).toContain('this needs the editor role');
    }
    expect(await h.store.getCampaign('fresh')).toBeNull();
  });
});
