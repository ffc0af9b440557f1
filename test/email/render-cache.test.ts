// Render once per campaign: the parts rendered by the first pass are kept in the store and reused
// by later passes and other workers (no render child started), on the real SQLite and PostgreSQL,
// sent to a real SMTP server on loopback. Renders are counted by wrapping the real child renderer.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import type { Issue } from '../../src/content/issue.js';
import { findIssue, loadIssues } from '../../src/content/load.js';
import { sendCampaign, type SendCampaignDeps } from '../../src/delivery/campaign.js';
import { createTransport } from '../../src/delivery/transport.js';
import { cachedIssueParts, encodeParts, renderKey, type RenderParts } from '../../src/email/render-cache.js';
import { renderIssuePartsInChild } from '../../src/email/render-isolated.js';
import { silentLogger } from '../../src/logging.js';
import { openStore } from '../../src/storage/open.js';
import type { Store } from '../../src/storage/store.js';
import { makeSite, SLUG } from '../support/site.js';
import { startTestSmtpServer, type TestSmtpOptions, type TestSmtpServer } from '../support/smtp-server.js';
import { postgresAvailable, SchemaPool } from '../storage/pg-harness.js';
import { stableMessage } from './helpers.js';

const pgAvailable = await postgresAvailable();
const schemas = new SchemaPool();
afterAll(async () => {
  if (pgAvailable) await schemas.dropAll();
});
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** The real child renderer, counted. */
function countingRenderer(): { render: RenderParts; count: () => number } {
  let n = 0;
  return {
    render: (config, issue) => {
      n++;
      return renderIssuePartsInChild(config, issue);
    },
    count: () => n,
  };
}

/** A logger whose warnings the test can read. */
function recordingLogger(): { logger: SendCampaignDeps['logger']; warnings: string[] } {
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { level: number; msg: string };
        if (entry.level === 40) warnings.push(entry.msg);
      }
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), warnings };
}

interface Site {
  config: Config;
  issue: Issue;
  server: TestSmtpServer;
  store: Store;
  openAnother(): Promise<Store>;
  deps(extra?: Partial<SendCampaignDeps>): SendCampaignDeps;
}

async function site(kind: 'SQLite' | 'PostgreSQL', faults: TestSmtpOptions = {}, subscribers = 12): Promise<Site> {
  const { dir, config } = makeSite();
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  config.email.templatesDir = path.join(dir, 'emails');
  cpSync(path.resolve(import.meta.dirname, '../../emails'), config.email.templatesDir, { recursive: true });
  if (kind === 'PostgreSQL') config.databaseUrl = schemas.url(schemas.next());
  const server = await startTestSmtpServer({ keepMessages: true, ...faults });
  cleanup.push(() => server.close());
  config.smtpUrl = server.url;
  config.smtp.maxConnections = 2;
  const openAnother = async () => {
    const s = await openStore(config);
    cleanup.push(() => s.close());
    return s;
  };
  const store = await openAnother();
  await store.importSubscribers(Array.from({ length: subscribers }, (_, i) => ({ email: `sub${i}@example.org`, name: `Reader ${i}`, status: 'active' as const })));
  const transport = createTransport(config, silentLogger());
  cleanup.push(() => transport.close());
  const issue = findIssue((await loadIssues(config)).issues, SLUG)!;
  return {
    config,
    issue,
    server,
    store,
    openAnother,
    deps: (extra = {}) => ({
      store,
      transport,
      config,
      logger: silentLogger(),
      workerId: 'worker-a',
      secret: config.secret!,
      retry: { baseDelayMs: 400, maxDelayMs: 400, jitter: 0 },
      connectionPauseMs: 10,
      ...extra,
    }),
  };
}

/** Half the recipients refuse their first RCPT with a 451: the first pass ends with retries left. */
const halfRefusedOnce: TestSmtpOptions = { rcpt: (to, n) => (n === 1 && Number(/\d+/.exec(to)![0]) % 2 === 0 ? { code: 451, message: 'try later' } : null) };

function rawFor(server: TestSmtpServer, to: string): Buffer[] {
  return server.messages.filter((m) => m.to.includes(to)).map((m) => m.raw);
}

for (const kind of ['SQLite', 'PostgreSQL'] as const) {
  describe.skipIf(kind === 'PostgreSQL' && !pgAvailable)(`render cache on ${kind}`, () => {
    it('a resumed pass and another worker reuse the first render: no child started', async () => {
      const s = await site(kind, halfRefusedOnce);
      const r = countingRenderer();
      const first = await sendCampaign(s.deps({ renderParts: r.render, waitForRetries: false }), s.issue);
      expect(first.finished).toBe(false);
      expect(first.sentNow).toBe(6);
      expect(r.count()).toBe(1);
      await new Promise((done) => setTimeout(done, 450)); // the retries become due
      const other = await s.openAnother();
      const second = await sendCampaign(s.deps({ store: other, workerId: 'worker-b', renderParts: r.render }), s.issue);
      expect(second).toMatchObject({ finished: true, sentNow: 6, sent: 12 });
      expect(r.count()).toBe(1);
      expect(s.server.accepted()).toBe(12);
      expect(s.server.duplicates()).toEqual([]);
    });

    it('two workers starting together share one render', async () => {
      const s = await site(kind, {}, 40);
      const r = countingRenderer();
      const other = await s.openAnother();
      const [a, b] = await Promise.all([
        sendCampaign(s.deps({ renderParts: r.render }), s.issue),
        sendCampaign(s.deps({ store: other, workerId: 'worker-b', renderParts: r.render }), s.issue),
      ]);
      expect(r.count()).toBe(1);
      expect(a.sentNow + b.sentNow).toBe(40);
      expect(s.server.accepted()).toBe(40);
      expect(s.server.duplicates()).toEqual([]);
    });

    it('a changed template or issue is a miss: the next pass renders again and sends the new text', async () => {
      const s = await site(kind, halfRefusedOnce);
      const r = countingRenderer();
      await sendCampaign(s.deps({ renderParts: r.render, waitForRetries: false }), s.issue);
      const before = renderKey(s.config, s.issue);
      const file = path.join(s.config.email.templatesDir, 'issue.mjml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('{{ title }}</mj-title>', '{{ title }} (revised)</mj-title>'));
      expect(renderKey(s.config, s.issue)).not.toBe(before);
      await new Promise((done) => setTimeout(done, 450));
      await sendCampaign(s.deps({ renderParts: r.render }), s.issue);
      expect(r.count()).toBe(2);
      expect(rawFor(s.server, 'sub0@example.org')[0]!.toString('latin1')).toContain('(revised)');
      expect(rawFor(s.server, 'sub1@example.org')[0]!.toString('latin1')).not.toContain('(revised)');
      expect(renderKey(s.config, { ...s.issue, html: `${s.issue.html}<p>erratum</p>` })).not.toBe(renderKey(s.config, s.issue));
      expect(renderKey(s.config, { ...s.issue, sourcePath: '/elsewhere/x.md' })).toBe(renderKey(s.config, s.issue));
    });

    it('a corrupt entry is a miss with one warning: rendered again, the right email sent, the entry repaired', async () => {
      const s = await site(kind);
      const r = countingRenderer();
      const key = renderKey(s.config, s.issue);
      const good = encodeParts(await cachedIssueParts({ store: s.store, config: s.config, log: silentLogger(), workerId: 'worker-a', render: r.render }, s.issue));
      const corrupt = [
        { text: good.text.slice(0, -40), digest: good.digest }, // truncated
        { text: good.text.replace('Delivery test issue', 'Delivery test issuX'), digest: good.digest }, // flipped bytes
        { text: '{"subject":"x"}', digest: encodeParts({ subject: 'x' } as never).digest }, // checks out, wrong shape
        { text: 'not json', digest: encodeParts('not json' as never).digest.replace(/./, '0') },
      ];
      for (const entry of corrupt) {
        await s.store.saveRender(key, entry.text, entry.digest);
        const { logger, warnings } = recordingLogger();
        const parts = await cachedIssueParts({ store: s.store, config: s.config, log: logger, workerId: 'worker-a', render: r.render }, s.issue);
        expect(parts.subject).toBe(JSON.parse(good.text).subject);
        expect(warnings).toEqual(['the cached render of this email is corrupt; rendering it again']);
      }
      expect(r.count()).toBe(1 + corrupt.length);
      const { logger, warnings } = recordingLogger();
      const out = await sendCampaign(s.deps({ renderParts: r.render, logger }), s.issue);
      expect(out.sent).toBe(12);
      expect(r.count()).toBe(1 + corrupt.length); // repaired by the last re-render
      expect(warnings).toEqual([]);
      expect(rawFor(s.server, 'sub3@example.org')[0]!.toString('latin1')).toContain('Subject: Delivery test issue');
    });

    it('a cached pass sends byte for byte what a fresh render sends (but the Date and MIME boundary)', async () => {
      const fresh = await site(kind);
      const cached = await site(kind);
      const r = countingRenderer();
      await cachedIssueParts({ store: cached.store, config: cached.config, log: silentLogger(), workerId: 'worker-a', render: r.render }, cached.issue);
      await sendCampaign(cached.deps({ renderParts: r.render }), cached.issue);
      expect(r.count()).toBe(1); // the campaign itself rendered nothing
      await sendCampaign(fresh.deps({ renderParts: r.render }), fresh.issue);
      expect(r.count()).toBe(2);
      for (let i = 0; i < 12; i++) {
        const to = `sub${i}@example.org`;
        const [a] = rawFor(fresh.server, to);
        const [b] = rawFor(cached.server, to);
        expect(stableMessage(b!)).toBe(stableMessage(a!));
      }
    });
  });
}
