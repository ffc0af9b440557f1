// Child of bench/send-rss.ts: sends the prepared 1,000,000-recipient campaign to smtp-sink and
// stops (graceful abort) after STOP messages, sampling its own RSS; prints one JSON line.
import { defaultConfig } from '../src/config/config.js';
import { loadIssues, findIssue } from '../src/content/load.js';
import { sendCampaign } from '../src/delivery/campaign.js';
import { createTransport } from '../src/delivery/transport.js';
import { silentLogger } from '../src/logging.js';
import { openStore } from '../src/storage/open.js';

const [dataDir, issuesDir, slug, smtpUrl, stopArg, connArg] = process.argv.slice(2);
const STOP = Number(stopArg);
const config = defaultConfig(process.cwd());
Object.assign(config, { dataDir, issuesDir, smtpUrl, secret: 'bench-secret-0123456789abcdef' });
config.smtp.maxConnections = Number(connArg);
const { issues } = await loadIssues(config);
const issue = findIssue(issues, slug!)!;
const store = await openStore(config);
const transport = createTransport(config, silentLogger());
const abort = new AbortController();
const samples: Array<{ sent: number; rssMb: number }> = [];
let sent = 0;
let nextSample = 0;
const t = performance.now();
const out = await sendCampaign(
  {
    store,
    transport,
    config,
    logger: silentLogger(),
    workerId: 'rss-bench',
    secret: config.secret!,
    signal: abort.signal,
    onProgress: (p) => {
      sent = p.sent;
      if (sent >= nextSample) {
        samples.push({ sent, rssMb: Math.round(process.memoryUsage().rss / 1048576) });
        nextSample += Math.max(1000, Math.floor(STOP / 10));
      }
      if (sent >= STOP) abort.abort();
    },
  },
  issue,
);
const ms = performance.now() - t;
await transport.close();
await store.close();
console.log(JSON.stringify({ sent: out.sentNow, queuedLeft: out.queued, ms: Math.round(ms), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), samples }));
