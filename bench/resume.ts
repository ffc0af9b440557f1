// bench/resume: what a resumed pass of a campaign costs with the render cache and without it.
//
//   npm run build && npx tsx bench/resume.ts [recipients=1000] [rounds=3]
//
// A corpus issue (the largest sofa-weekly one) to N subscribers on a SQLite ledger, sent to an SMTP
// server on loopback (the smtp-server package, accepting everything). The first pass is stopped
// half-way (abort after N/2 sent); the resumed pass that sends the rest is timed twice per round:
// with the parts the first pass cached ("cached"), and with the cache entry deleted first, which is
// what every pass paid before the cache ("render": the render child, ~2 s). Best round of each.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SMTPServer } from 'smtp-server';
import { defaultConfig } from '../src/config/config.js';
import { loadIssues } from '../src/content/load.js';
import { sendCampaign } from '../src/delivery/campaign.js';
import { createTransport } from '../src/delivery/transport.js';
import { silentLogger } from '../src/logging.js';
import { openStore } from '../src/storage/open.js';

const N = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 3);
const root = path.resolve(import.meta.dirname, '..');

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, done) {
    stream.on('data', () => {});
    stream.on('end', () => done());
  },
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.server.address() as AddressInfo).port;

async function resumedPass(dropCache: boolean): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pr-bench-resume-'));
  try {
    const config = defaultConfig(dir);
    config.issuesDir = path.resolve(root, '../shared/corpus/sofa-weekly');
    config.dataDir = dir;
    config.site.url = 'https://weekly.example.org/';
    config.email.fromAddress = 'weekly@weekly.example.org';
    config.email.templatesDir = path.join(root, 'emails');
    config.secret = 'bench-secret-0123456789abcdef';
    config.smtpUrl = `smtp://127.0.0.1:${port}`;
    config.smtp.maxConnections = 5;
    const store = await openStore(config);
    await store.importSubscribers(Array.from({ length: N }, (_, i) => ({ email: `r${i}@example.org`, name: `Reader ${i}`, status: 'active' as const })));
    const { issues } = await loadIssues(config);
    const issue = [...issues].sort((a, b) => b.html.length - a.html.length)[0]!;
    const transport = createTransport(config, silentLogger());
    const deps = { store, transport, config, logger: silentLogger(), workerId: 'bench', secret: config.secret };
    const abort = new AbortController();
    await sendCampaign({ ...deps, signal: abort.signal, onProgress: (p) => p.sent >= N / 2 && abort.abort() }, issue);
    if (dropCache) {
      const db = new Database(path.join(dir, 'pressroom.db'));
      db.exec('DELETE FROM render_cache');
      db.close();
    }
    const t0 = performance.now();
    const out = await sendCampaign(deps, issue);
    const ms = performance.now() - t0;
    if (!out.finished) throw new Error('the resumed pass did not finish');
    await transport.close();
    await store.close();
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const best = { cached: Infinity, render: Infinity };
for (let round = 1; round <= ROUNDS; round++) {
  const cached = await resumedPass(false);
  const render = await resumedPass(true);
  best.cached = Math.min(best.cached, cached);
  best.render = Math.min(best.render, render);
  console.log(`round ${round}: resumed pass (the other half of ${N}): cached ${cached.toFixed(0)} ms, rendering ${render.toFixed(0)} ms`);
}
console.log(`best: cached ${best.cached.toFixed(0)} ms, rendering ${best.render.toFixed(0)} ms (${(best.render / best.cached).toFixed(1)}x)`);
server.close();
