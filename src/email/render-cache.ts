// Render once per campaign, not once per pass: the rendered parts of an issue (IssueParts: what the
// render child returns, before any per-pass or per-recipient value) are kept in the store under a
// key that hashes everything the render reads, and every later pass, process or worker on the same
// store composes its PreparedEmail from them without starting the child (~2 s saved per pass).
//
// The store, not the data folder: workers on several machines share PostgreSQL, not a disk. Of
// workers that start together one renders (it holds a claim, see Store.claimRender) and the others
// wait for its parts; a claim whose worker died lapses after RENDER_LEASE_MS and is taken over
// (at once by the same worker id restarted).
// An entry that does not check out (digest, JSON, shape) is a miss with one warning, never an email.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Config } from '../config/config.js';
import type { Issue } from '../content/issue.js';
import type { Logger } from '../logging.js';
import type { Store } from '../storage/store.js';
import { bundledPath } from '../templates/root.js';
import type { PreparedEmailWithParts } from './compose.js';
import { composeIssueEmail, RECIPIENT_VARIABLES, type IssueParts } from './issue-compose.js';
import { renderIssuePartsInChild } from './render-isolated.js';
import { createSender } from './sender.js';
import { resolveTemplatesDir } from './templates-dir.js';

/** How the parts are rendered on a miss (default: in a child process, render-isolated.ts). */
export type RenderParts = (config: Config, issue: Issue) => Promise<IssueParts>;

/** How long a worker's claim on a render holds others back (a render takes ~2 s; a lapsed claim only costs a second render). */
export const RENDER_LEASE_MS = 30_000;
const POLL_MS = 200;
/** Bump when the render code changes its output for the same inputs (Pressroom's version is in the key too). */
const RENDER_FORMAT = 2; // 2: fixed strings from the message catalogue

export interface CachedRenderDeps {
  store: Store;
  config: Config;
  log: Logger;
  /** Who claims the render (a worker id, unique among live processes: see src/delivery/worker-id.ts). */
  workerId: string;
  render?: RenderParts;
  signal?: AbortSignal;
}

/** prepareIssueEmailIsolated, rendering only when no pass or worker has rendered these inputs before. */
export async function prepareIssueEmailCached(deps: CachedRenderDeps, issue: Issue, secret: string): Promise<PreparedEmailWithParts> {
  createSender(deps.config); // a sender/DKIM problem is reported before any rendering, as in prepareIssueEmail
  return composeIssueEmail(deps.config, issue, secret, await cachedIssueParts(deps, issue));
}

export async function cachedIssueParts(deps: CachedRenderDeps, issue: Issue): Promise<IssueParts> {
  const { store, config, log, signal } = deps;
  const render = deps.render ?? renderIssuePartsInChild;
  let key: string;
  try {
    key = renderKey(config, issue);
  } catch {
    return render(config, issue); // e.g. no templates folder: the render reports it as it always did
  }
  for (;;) {
    let claim: Awaited<ReturnType<Store['claimRender']>>;
    try {
      claim = await store.claimRender(key, deps.workerId, RENDER_LEASE_MS);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not read the render cache; rendering the email in this process');
      return render(config, issue);
    }
    if (claim.kind === 'stored') {
      const parts = decodeParts(claim.parts, claim.digest);
      if (parts) {
        log.info({ renderKey: key.slice(0, 12) }, 'reusing the email rendered by an earlier pass');
        return parts;
      }
      log.warn({ renderKey: key.slice(0, 12) }, 'the cached render of this email is corrupt; rendering it again');
      return renderAndSave(deps, render, key, issue);
    }
    if (claim.kind === 'claimed') {
      try {
        return await renderAndSave(deps, render, key, issue);
      } catch (err) {
        await store.releaseRender(key).catch(() => {}); // others retry at once; the lease covers a failed release
        throw err;
      }
    }
    // Another worker is rendering these parts: wait for them (or for its claim to lapse).
    if (signal?.aborted) return render(config, issue);
    await delay(Math.max(1, Math.min(POLL_MS, claim.until - Date.now())), undefined, { signal }).catch(() => {});
  }
}

async function renderAndSave(deps: CachedRenderDeps, render: RenderParts, key: string, issue: Issue): Promise<IssueParts> {
  const parts = await render(deps.config, issue);
  const { text, digest } = encodeParts(parts);
  try {
    await deps.store.saveRender(key, text, digest);
    deps.log.info({ renderKey: key.slice(0, 12) }, 'rendered the email; later passes and workers reuse it');
  } catch (err) {
    deps.log.warn({ err: (err as Error).message }, 'could not save the rendered email; the next pass renders it again');
  }
  return parts;
}

/**
 * SHA-256 over everything the render reads: the issue (as loaded: its source's body and front
 * matter, with the site URL already in its links), every file of the templates folder, the site
 * and email settings, and what the output depends on besides (Pressroom's version, Node's and its
 * ICU's for date formatting). Per-pass values (Date, boundary, DKIM signature, tokens) are applied
 * after, when the parts are composed, so they are not in it.
 */
export function renderKey(config: Config, issue: Issue): string {
  const { sourcePath: _where, ...content } = issue; // where the file sits does not change the email
  const { templatesDir, dkim, ...email } = config.email;
  const input = {
    format: RENDER_FORMAT,
    pressroom: pressroomVersion(),
    node: process.versions.node,
    icu: process.versions.icu ?? null,
    site: config.site,
    email: { ...email, dkim: dkim ? { domain: dkim.domain, selector: dkim.selector } : null },
    templates: folderDigest(resolveTemplatesDir(templatesDir)),
    issue: content,
  };
  return createHash('sha256').update(stableJson(input)).digest('hex');
}

export function encodeParts(parts: IssueParts): { text: string; digest: string } {
  const text = JSON.stringify(parts);
  return { text, digest: sha256(text) };
}

/** The parts of a stored entry, or null when it is not exactly what encodeParts wrote. */
export function decodeParts(text: string, digest: string): IssueParts | null {
  if (sha256(text) !== digest) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return isIssueParts(value) ? value : null;
}

const SENTINEL_RE = /^ZZPR[0-9A-F]{16}[A-Z0-9]+ZZ$/; // mime.ts makeSentinel

function isIssueParts(v: unknown): v is IssueParts {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  if (typeof p.subject !== 'string' || p.subject === '' || typeof p.html !== 'string' || typeof p.text !== 'string') return false;
  const s = p.sentinels;
  if (typeof s !== 'object' || s === null) return false;
  const keys = Object.keys(s);
  return (
    keys.length === RECIPIENT_VARIABLES.length &&
    RECIPIENT_VARIABLES.every((k) => {
      const sentinel = (s as Record<string, unknown>)[k];
      return typeof sentinel === 'string' && SENTINEL_RE.test(sentinel);
    })
  );
}

/** Every file under `root` (relative path and content hash), in a stable order. */
function folderDigest(root: string): Array<[string, string]> {
  const files: Array<[string, string]> = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const file = path.join(entry.parentPath, entry.name);
    let hash: string;
    try {
      hash = sha256(readFileSync(file));
    } catch {
      hash = 'unreadable'; // a symlinked folder or a dangling link; the render refuses what it cannot read
    }
    files.push([path.relative(root, file), hash]);
  }
  return files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

let version: string | undefined;
function pressroomVersion(): string {
  version ??= (JSON.parse(readFileSync(bundledPath('package.json'), 'utf8')) as { version: string }).version;
  return version;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted, so the same values give the same text whatever order they were set in. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
