// The campaign's live report over server-sent events, through the real server on loopback while a
// campaign sends to a real loopback SMTP server; the API's send (two editors at once: one
// campaign), retry and saved test addresses; and what a viewer may not do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiToken, secretHash } from '../../src/accounts/secrets.js';
import { startHarness, writeIssue, type Harness } from './harness.js';
import { waitFor } from '../support/wait.js';

const ADMIN = 'admin-token-for-live-tests';
const RECIPIENTS = 60;
const REFUSED = 'refused@example.org';
const LATER = 'later@example.org';
let h: Harness;
let base: string;
const editors = [newApiToken(), newApiToken()];
const viewer = newApiToken();

beforeAll(async () => {
  h = await startHarness({
    adminToken: ADMIN,
    smtp: {
      rcpt: (to, attempt) =>
        to === REFUSED
          ? { code: 550, message: `5.1.1 <${to}>: Recipient address rejected: User unknown` }
          : to === LATER && attempt === 1
            ? { code: 451, message: '4.7.1 Try again later' }
            : null,
    },
    configure: (config) => {
      config.smtp.rateLimit = 20; // about three seconds for the campaign: several readings of the stream
      config.smtp.maxAttempts = 1; // a 451 is a temporary failure at once, for `retry`
    },
  });
  await h.store.importSubscribers([...Array.from({ length: RECIPIENTS - 2 }, (_, i) => ({ email: `reader${i}@example.org` })), { email: REFUSED }, { email: LATER }]);
  await writeIssue(h.config, { slug: 'live', date: '2026-01-05T09:00:00Z' });
  await writeIssue(h.config, { slug: 'twice', date: '2026-01-06T09:00:00Z' });
  for (const [i, token] of editors.entries()) await h.store.addApiToken({ name: `editor-${i}`, tokenHash: secretHash(token), role: 'editor' });
  await h.store.addApiToken({ name: 'viewer', tokenHash: secretHash(viewer), role: 'viewer' });
  base = await h.server.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await h?.close();
});

const call = (method: string, path: string, token = ADMIN, body?: unknown) =>
  fetch(new URL(path, base), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** What the tests read of a `report` event (the `end` event's data is {}). */
interface LiveReport {
  stats: { sent: number };
  pace: { perSecond: number | null; etaSeconds: number | null };
  workers: unknown;
  errors: { groups: unknown[] };
}

interface StreamEvent {
  event: string;
  data: LiveReport;
}

async function jsonOf<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** Every event of the stream until the server ends it. */
async function readStream(path: string, token = ADMIN): Promise<{ status: number; type: string | null; events: StreamEvent[] }> {
  const res = await call('GET', path, token);
  const events: StreamEvent[] = [];
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of res.body!) {
    buffered += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      events.push({ event, data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) });
    }
  }
  return { status: res.status, type: res.headers.get('content-type'), events };
}

describe('GET /api/campaigns/:slug/stream', () => {
  it('sends the report while the campaign sends: the counts rise to the end, then an end event, and the stream closes', async () => {
    const started = await call('POST', '/api/issues/live/send', editors[0]);
    expect(started.status).toBe(202);
    const { status, type, events } = await readStream('/api/campaigns/live/stream');
    expect([status, type]).toEqual([200, 'text/event-stream; charset=utf-8']);
    expect(events.at(-1)).toEqual({ event: 'end', data: {} });
    const reports = events.slice(0, -1).map((e) => {
      expect(e.event).toBe('report');
      return e.data;
    });
    const sent = reports.map((r) => r.stats.sent);
    // The counts rise: readings taken while it sends, never going down, up to every deliverable recipient.
    expect(
      sent.some((n) => n > 0 && n < RECIPIENTS - 2),
      `sent per reading: ${sent.join(', ')}`,
    ).toBe(true);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    const last = reports.at(-1)!;
    expect(last).toMatchObject({ slug: 'live', recipients: RECIPIENTS, waiting: 0, summary: { state: 'finished' }, stats: { sent: RECIPIENTS - 2, failed: 2 } });
    expect(last.workers).toEqual([{ workerId: 'test-worker', sent: RECIPIENTS - 2, sending: 0 }]);
    expect(last.errors.groups).toEqual([
      { smtpCode: 451, response: '4.7.1 try again later', failed: 1, retry: 0 },
      { smtpCode: 550, response: '5.1.1 <address>: recipient address rejected: user unknown', failed: 1, retry: 0 },
    ]);
    // The first reading has no pace; a reading while sending has one and an ETA.
    expect(reports[0]!.pace.perSecond).toBeNull();
    expect(reports.some((r) => (r.pace.perSecond ?? 0) > 0 && (r.pace.etaSeconds ?? 0) > 0)).toBe(true);
    // A finished campaign's stream is one report and the end.
    expect((await readStream('/api/campaigns/live/stream', viewer)).events.map((e) => e.event)).toEqual(['report', 'end']);
  });

  it('404 for an unknown campaign, 401 without credentials', async () => {
    const res = await call('GET', '/api/campaigns/nope/stream');
    expect([res.status, await res.json()]).toEqual([404, { error: 'no campaign "nope"' }]);
    expect((await fetch(new URL('/api/campaigns/live/stream', base))).status).toBe(401);
  });

  it('retry re-queues the temporary failure and sends it; the hard failure stays', async () => {
    await waitFor(async () => (await h.store.getCampaign('live'))?.finishedAt, { what: 'the campaign finished' });
    const res = await call('POST', '/api/campaigns/live/retry', editors[1]);
    expect([res.status, await res.json()]).toEqual([200, { requeued: 1 }]);
    await h.waitForMail(LATER);
    await waitFor(async () => (await h.store.campaignStats((await h.store.getCampaign('live'))!.id)).finishedAt, { what: 'the campaign finished again' });
    const report = (await (await call('GET', '/api/campaigns/live')).json()) as { stats: object; errors: { groups: unknown[] } };
    expect(report.stats).toMatchObject({ sent: RECIPIENTS - 1, failed: 1 });
    expect(report.errors.groups).toEqual([{ smtpCode: 550, response: '5.1.1 <address>: recipient address rejected: user unknown', failed: 1, retry: 0 }]);
    expect((await call('POST', '/api/campaigns/nope/retry')).status).toBe(404);
  });
});

describe('two editors sending the same issue at once', () => {
  it('create one campaign, and every recipient gets one copy', async () => {
    const [a, b] = await Promise.all(editors.map((token) => call('POST', '/api/issues/twice/send?wait=1', token)));
    const answers = [(await a!.json()) as { created: boolean; campaign: { id: number } }, (await b!.json()) as { created: boolean; campaign: { id: number } }];
    expect([a!.status, b!.status]).toEqual([200, 200]);
    expect(answers.map((x) => x.created).sort()).toEqual([false, true]);
    expect(answers[0]!.campaign.id).toBe(answers[1]!.campaign.id);
    expect((await h.store.listCampaigns()).filter((c) => c.slug === 'twice')).toHaveLength(1);
    await waitFor(async () => (await h.store.getCampaign('twice'))?.finishedAt, { what: 'the campaign finished' });
    // One copy of this issue each (the server counts copies over both issues: two each).
    const copies = new Map<string, number>();
    for (const m of h.smtp.messages.filter((x) => x.raw.includes('Subject: Issue twice'))) for (const to of m.to) copies.set(to, (copies.get(to) ?? 0) + 1);
    expect(copies.size).toBe(RECIPIENTS - 1);
    expect([...copies.values()].every((n) => n === 1)).toBe(true);
  });
});

describe('saved test addresses', () => {
  it('are checked entry by entry, saved, and a test send to the list reaches each', async () => {
    const bad = await call('PUT', '/api/test-addresses', editors[0], { addresses: ['ok@example.org', 'not an address'] });
    expect(bad.status).toBe(400);
    expect((await jsonOf<{ error: string }>(bad)).error).toMatch(/^addresses, entry 2: /);
    const none = await call('POST', '/api/issues/live/test-list', editors[0]);
    expect(none.status).toBe(409);
    const saved = await call('PUT', '/api/test-addresses', editors[0], { addresses: ['qa1@example.org', 'QA1@example.org', 'qa2@example.org'] });
    expect(await saved.json()).toEqual({ addresses: ['qa1@example.org', 'qa2@example.org'] });
    expect(await (await call('GET', '/api/test-addresses', viewer)).json()).toEqual({ addresses: ['qa1@example.org', 'qa2@example.org'] });
    const sent = await call('POST', '/api/issues/live/test-list', editors[0]);
    const { results } = await jsonOf<{ results: Array<{ address: string; ok: boolean }> }>(sent);
    expect(results.map((r) => [r.address, r.ok])).toEqual([
      ['qa1@example.org', true],
      ['qa2@example.org', true],
    ]);
    await h.waitForMail('qa2@example.org');
  });
});

describe('a viewer', () => {
  it('may watch the stream and read the list, but not send, retry, test-send or change the list', async () => {
    expect((await call('GET', '/api/campaigns/live', viewer)).status).toBe(200);
    for (const [method, path] of [
      ['POST', '/api/issues/live/send'],
      ['POST', '/api/campaigns/live/retry'],
      ['POST', '/api/issues/live/test-list'],
      ['PUT', '/api/test-addresses'],
    ] as const) {
      const res = await call(method, path, viewer, method === 'PUT' ? { addresses: [] } : undefined);
      expect([res.status, await res.json()], path).toEqual([403, { error: 'this needs the editor role' }]);
    }
  });
});
