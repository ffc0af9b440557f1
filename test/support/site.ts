// Temp folders and test sites: a folder with pressroom.config.json, one issue file and a data
// folder, for tests that run the CLI or open the store on it.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { defaultConfig, type Config } from '../../src/config/config.js';
import { projectRoot } from './paths.js';
import { startTestSmtpServer, type TestSmtpServer } from './smtp-server.js';

export const SLUG = 'delivery-test-issue';

const made: string[] = [];
// Registered on the root suite of each test file that imports this module (files are isolated).
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp folder, removed after the test file. */
export function tempDir(prefix = 'pressroom-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Writes text to a temp file with the given name and returns its path. */
export function tempFile(name: string, text: string): string {
  const file = path.join(tempDir(), name);
  writeFileSync(file, text);
  return file;
}

export interface TestSite {
  dir: string;
  config: Config;
}

/**
 * A temp folder with issues/<SLUG>.md, pressroom.config.json (bundled templates, a sender, a
 * secret) and the matching Config; the caller removes `dir`.
 */
export function makeSite(): TestSite {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pressroom-delivery-'));
  mkdirSync(path.join(dir, 'issues'));
  const paragraphs = Array.from({ length: 20 }, (_, i) => `Paragraph ${i}: delivery must be exactly once, even when the process is killed.`).join('\n\n');
  writeFileSync(
    path.join(dir, 'issues', `${SLUG}.md`),
    `---\ntitle: "Delivery test issue"\nslug: ${SLUG}\ndate: 2024-05-01T09:00:00+08:00\ntags: ["news"]\n---\n\n## Hello\n\n${paragraphs}\n`,
  );
  const config = defaultConfig(dir);
  config.email.templatesDir = path.join(projectRoot, 'emails');
  config.email.fromAddress = 'news@example.org';
  config.secret = 'test-secret-0123456789abcdef';
  writeFileSync(
    path.join(dir, 'pressroom.config.json'),
    JSON.stringify({ email: { templatesDir: config.email.templatesDir, fromAddress: config.email.fromAddress }, secret: config.secret }),
  );
  return { dir, config };
}

/** A test site and a real SMTP server on loopback (keeping its messages), shared by a test file's tests. */
export interface SiteWithSmtp {
  site: TestSite;
  smtp: TestSmtpServer;
}

/** Sets up a SiteWithSmtp before the file's tests and removes it after them; read its fields inside tests. */
export function siteWithSmtpPerFile(): SiteWithSmtp {
  const fixture = {} as SiteWithSmtp;
  beforeAll(async () => {
    fixture.site = makeSite();
    fixture.smtp = await startTestSmtpServer({ keepMessages: true });
  });
  afterAll(async () => {
    await fixture.smtp?.close();
    if (fixture.site) rmSync(fixture.site.dir, { recursive: true, force: true });
  });
  return fixture;
}

/** Relative path -> sha256 of the bytes, for every file under dir (to compare two builds byte for byte). */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, full), createHash('sha256').update(readFileSync(full)).digest('hex'));
  }
  return out;
}
