// Preloaded into the sender by bench/send-rss.ts (`node --import ./send-rss-probe.mjs bin/pressroom.js send ...`):
// plain JavaScript, so the measured process runs no TypeScript loader. At exit it writes the
// process's peak RSS and a memory timeline (every 250 ms) as JSON to the file named by
// SEND_RSS_PROBE.
import { writeFileSync } from 'node:fs';

const out = process.env.SEND_RSS_PROBE;
const started = performance.now();
const mb = (bytes) => Math.round(bytes / 1048576);
const timeline = [];
const sample = () => {
  const m = process.memoryUsage();
  timeline.push({ ms: Math.round(performance.now() - started), rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external) });
};
sample();
setInterval(sample, 250).unref();
process.on('exit', () => {
  sample();
  if (out) writeFileSync(out, JSON.stringify({ peakRssMb: mb(process.resourceUsage().maxRSS * 1024), timeline }));
});
