// bench/serve: full and conditional GETs of feed.xml (the corpus site feed) with wrk, against
// Pressroom's HTTP server (the real buildServer app: every route and hook, SQLite store, outbox
// transport) and, in the same run, nginx serving the same file from the same folder.
// nginx runs in the foreground as a child with its own temp config, one worker process (Node
// serves on one thread too), access log off, sendfile on: the fast static baseline.
// A second reference, bare node:http answering the same bytes from memory with a precomputed
// ETag, shows how much of the gap is Node itself and how much is fastify plus our handler.
// Run: npx tsx bench/serve.ts [seconds per run, default 10]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSite } from '../src/build/site.js';
import { defaultConfig } from '../src/config/config.js';
import { loadIssues } from '../src/content/load.js';
import { createTransport } from '../src/delivery/transport.js';
import { silentLogger } from '../src/logging.js';
import { buildServer } from '../src/server/app.js';
import { openStore } from '../src/storage/open.js';
import { CampaignRunner } from '../src/worker/runner.js';

const SECONDS = Number(process.argv[2] ?? 10);
const THREADS = 2;
const CONNECTIONS = 50;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.join(root, 'bench/.work/serve');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

for (const tool of ['wrk', 'nginx']) {
  if (spawnSync('which', [tool]).status !== 0) {
    console.error(`bench/serve: ${tool} is not installed (Debian package ${tool})`);
    process.exit(2);
  }
}

// The site: the real corpus, built the usual way.
const config = defaultConfig(work);
config.issuesDir = path.resolve(root, '../shared/corpus/sofa-weekly');
config.site.url = 'https://news.example.org/';
config.site.title = 'SOFA Weekly';
config.secret = 'bench-secret-0123456789abcdef';
const { issues } = await loadIssues(config);
await buildSite(config, issues);

// Pressroom.
const logger = silentLogger();
const store = await openStore(config);
const transport = createTransport(config, logger);
const runner = new CampaignRunner({ store, transport, config, logger, secret: config.secret, workerId: 'bench' });
const server = await buildServer({ config, store, transport, logger, secret: config.secret, runner });
await server.app.listen({ port: 0, host: '127.0.0.1' });
const ourPort = (server.app.server.address() as { port: number }).port;

// Bare node:http, the floor for any Node server.
const feedBytes = readFileSync(path.join(config.outDir, 'feed.xml'));
const bareEtag = '"bare-1"';
const bare = createServer((req, res) => {
  if (req.headers['if-none-match'] === bareEtag) {
    res.writeHead(304, { etag: bareEtag });
    return void res.end();
  }
  res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', 'content-length': feedBytes.length, etag: bareEtag });
  res.end(feedBytes);
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', () => resolve()));
const barePort = (bare.address() as { port: number }).port;

// nginx, foreground, own prefix and temp paths (runs unprivileged).
const nginxPort = ourPort + 1;
const nginxDir = path.join(work, 'nginx');
mkdirSync(path.join(nginxDir, 'tmp'), { recursive: true });
const nginxConf = path.join(nginxDir, 'nginx.conf');
writeFileSync(
  nginxConf,
  `daemon off;
worker_processes 1;
pid ${nginxDir}/nginx.pid;
error_log ${nginxDir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types { application/rss+xml xml; text/html html; }
  default_type application/octet-stream;
  charset utf-8;
  charset_types application/rss+xml;
  client_body_temp_path ${nginxDir}/tmp/body;
  proxy_temp_path ${nginxDir}/tmp/proxy;
  fastcgi_temp_path ${nginxDir}/tmp/fastcgi;
  uwsgi_temp_path ${nginxDir}/tmp/uwsgi;
  scgi_temp_path ${nginxDir}/tmp/scgi;
  server {
    listen 127.0.0.1:${nginxPort};
    root ${config.outDir};
    etag on;
    add_header Cache-Control "public, max-age=300";
  }
}
`,
);
const nginx = spawn('nginx', ['-p', nginxDir, '-e', path.join(nginxDir, 'error.log'), '-c', nginxConf], { stdio: ['ignore', 'inherit', 'inherit'] });
const stopAll = async () => {
  nginx.kill('SIGQUIT');
  bare.close();
  await server.close();
  await transport.close();
  await store.close();
};
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

async function ready(url: string): Promise<Response> {
  for (let i = 0; i < 100; i++) {
    try {
      return await fetch(url);
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${url} never answered`);
}

const targets = [
  { name: 'pressroom', url: `http://127.0.0.1:${ourPort}/feed.xml` },
  { name: 'nginx', url: `http://127.0.0.1:${nginxPort}/feed.xml` },
  { name: 'node:http', url: `http://127.0.0.1:${barePort}/feed.xml` },
];
const etags: Record<string, string> = {};
let bytes = 0;
for (const t of targets) {
  const res = await ready(t.url);
  const body = await res.arrayBuffer();
  bytes = body.byteLength;
  const etag = res.headers.get('etag');
  if (res.status !== 200 || !etag) throw new Error(`${t.name}: expected 200 with an ETag, got ${res.status}`);
  etags[t.name] = etag;
  // Both must really answer 304 to the conditional request we are about to measure.
  const cond = await fetch(t.url, { headers: { 'if-none-match': etag } });
  if (cond.status !== 304) throw new Error(`${t.name}: conditional GET answered ${cond.status}, expected 304`);
}

interface WrkResult {
  rps: number;
  p99: string;
  errors: string;
}

/** Async on purpose: the Pressroom server under test runs on this process's event loop. */
async function runWrk(url: string, headers: string[]): Promise<WrkResult> {
  const args = [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', ...headers.flatMap((h) => ['-H', h]), url];
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (status !== 0) throw new Error(`wrk failed: ${stderr}`);
  const r = { stdout };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const p99 = /\s99%\s+(\S+)/.exec(r.stdout)?.[1] ?? '?';
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1];
  const socketErrors = /Socket errors: (.*)/.exec(r.stdout)?.[1];
  return { rps, p99, errors: [non2xx ? `${non2xx} non-2xx/3xx` : '', socketErrors ? `socket errors: ${socketErrors}` : ''].filter(Boolean).join('; ') };
}

console.log(`bench/serve: feed.xml of the corpus (${issues.length} issues, ${bytes} bytes), wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s, ${process.version}, nginx 1 worker`);
const results: Record<string, Record<string, WrkResult>> = { full: {}, conditional: {} };
for (const kind of ['full', 'conditional'] as const) {
  for (const t of targets) {
    const headers = kind === 'conditional' ? [`If-None-Match: ${etags[t.name]}`] : [];
    results[kind]![t.name] = await runWrk(t.url, headers);
  }
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(8);
console.log('');
console.log('                   pressroom        nginx    node:http   vs nginx   vs node:http   p99 pressroom / nginx / node:http');
for (const kind of ['full', 'conditional'] as const) {
  const ours = results[kind]!.pressroom!;
  const ref = results[kind]!.nginx!;
  const floor = results[kind]!['node:http']!;
  console.log(
    `${`${kind} GET`.padEnd(16)} ${fmt(ours.rps)} req/s ${fmt(ref.rps)} ${fmt(floor.rps)}   ${(ours.rps / ref.rps).toFixed(2).padStart(6)}x   ${(ours.rps / floor.rps).toFixed(2).padStart(9)}x     ${ours.p99} / ${ref.p99} / ${floor.p99}`,
  );
  for (const [name, r] of Object.entries(results[kind]!)) if (r.errors) console.log(`  ${name}: ${r.errors}`);
}
await stopAll();
