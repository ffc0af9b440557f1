// A server may serve the output folder while a build writes it (the service's first build writes
// into a folder its server already serves): every file it can see under its own name must be whole.
// Another process watches the folder as a first build writes it, reading every file it finds, and
// the bytes it saw are compared with the finished files afterwards.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSite } from '../../src/build/site.js';
import { loadIssues } from '../../src/content/load.js';
import { CORPUS, siteConfig, tempDir } from '../feeds/helpers.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

// Reads every file under OUT (not the build's temporary names) over and over until stdin closes,
// then prints each distinct [name, sha256] it saw, one JSON line.
const WATCHER = `
const fs = require('node:fs'), path = require('node:path'), crypto = require('node:crypto');
const out = process.argv[1], seen = new Set();
let open = true;
process.stdin.on('end', () => { open = false; }).resume();
const sweep = () => {
  let names = [];
  try { names = fs.readdirSync(out, { recursive: true }); } catch {}
  for (const name of names) {
    if (String(name).includes('.tmp-')) continue;
    try {
      const bytes = fs.readFileSync(path.join(out, String(name)));
      seen.add(JSON.stringify([String(name), crypto.createHash('sha256').update(bytes).digest('hex')]));
    } catch {}
  }
  if (open) setImmediate(sweep);
  else console.log(JSON.stringify([...seen].map((s) => JSON.parse(s))));
};
process.stdout.write('ready\\n');
sweep();
`;

describe('writing the output folder', () => {
  it('never shows a reader an empty or partial file, in a folder the build creates', async () => {
    const root = tempDir('pressroom-visible-');
    const config = siteConfig({ title: 'SOFA Weekly' });
    config.issuesDir = CORPUS;
    config.outDir = path.join(root, 'public');
    config.dataDir = path.join(root, 'data');
    const { issues } = await loadIssues(config, { threads: 0 });

    const watcher = spawn(process.execPath, ['-e', WATCHER, config.outDir], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    watcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve) => watcher.stdout.once('data', () => resolve()));
    const { files } = await buildSite(config, issues, { now: NOW });
    watcher.stdin.end();
    await new Promise((resolve) => watcher.once('exit', resolve));

    const seen = JSON.parse(output.slice(output.indexOf('\n') + 1)) as Array<[string, string]>;
    const final = (name: string) =>
      createHash('sha256')
        .update(readFileSync(path.join(config.outDir, name)))
        .digest('hex');
    // The watcher saw the files as they appeared: far more than a handful, or it proves nothing.
    expect(files.length).toBeGreaterThan(200);
    expect(new Set(seen.map(([name]) => name)).size).toBeGreaterThan(100);
    expect(seen.filter(([name, hash]) => hash !== final(name)).map(([name]) => name)).toEqual([]);
  });
});
