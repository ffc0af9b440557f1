// Serves the build output (feeds + archive) ourselves rather than through @fastify/static,
// because caching is the point: every file gets a strong ETag from a hash of its bytes, computed
// once per file version (size + mtime + inode) and kept in memory with the bytes, so a conditional
// GET costs one stat() and a string compare. Measured against @fastify/static 10.1.11 (issue 11,
// docs/service.md "Static files"): full GET 0.12x nginx vs 0.77x here, 304s 0.32x vs 0.77x, and
// 13 of 27 static tests fail (weak mtime ETags, a symlink out of the root served, no 304 when the
// client sends Cache-Control: no-cache as fetch() does).
import { createHash } from 'node:crypto';
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { ENCODINGS, isCompressible, type Encoding } from '../build/precompress.js';
import { mediaTypeOf } from '../feeds/media.js';
import { SEARCH_SCRIPTS } from '../search/paths.js';
import { preferredEncoding } from './accept-encoding.js';

export interface StaticFile {
  status: 200 | 304;
  headers: Record<string, string>;
  /** Absent for 304 and HEAD. */
  body?: Buffer;
  /** A 200 of an HTML page: the route adds the site's security headers (headers.ts). */
  html?: true;
}

export type StaticResult = StaticFile | { status: 301; location: string } | { status: 400 | 404 };

interface CachedVersion {
  /** size:mtimeMs:ino: changes whenever the file is rewritten. */
  version: string;
  mtimeMs: number;
  etag: string;
  lastModified: string;
  lastModifiedSec: number;
  body: Buffer;
  contentType: string;
  cacheControl: string;
  html: boolean;
  /** Response headers shared by 200 and 304 (without Content-Length). */
  headers: Record<string, string>;
  /** RFC 9110 15.4.5: validators and caching fields, no representation metadata such as Content-Type. */
  notModifiedHeaders: Record<string, string>;
  /** Epoch ms of the last stat() that confirmed this version. */
  checkedAt: number;
}

/** Files above this size are hashed and served but not kept in memory. */
const MAX_CACHED_BYTES = 4 * 1024 * 1024;

const FEED_CACHE = 'public, max-age=300';
const HTML_CACHE = 'public, max-age=60';
const ASSET_CACHE = 'public, max-age=3600';

/**
 * How a file is served. `attachment`: offered as a download rather than shown as a page of the
 * site (files of unknown type, and plain text or CSV attached to an issue).
 */
export interface ServedType {
  type: string;
  cacheControl: string;
  attachment?: true;
}

const SCRIPTS: ReadonlySet<string> = new Set(SEARCH_SCRIPTS);

// The search page's own scripts (src/search/) are the only JavaScript Pressroom builds, so only
// those paths are served as scripts: any other .js file in the output folder is served as
// application/octet-stream, which browsers refuse to run (X-Content-Type-Options: nosniff) even
// where the page CSP allows 'self'. `relative`: the file's path inside the output folder.
export function contentTypeFor(file: string, relative = ''): ServedType {
  if (SCRIPTS.has(relative)) return { type: 'text/javascript; charset=utf-8', cacheControl: HTML_CACHE };
  const base = path.basename(file).toLowerCase();
  const ext = path.extname(base);
  // Feed files are recognised by name: the same .xml extension carries RSS or Atom.
  if (base === 'feed.xml' || base === 'rss.xml' || base === 'index.xml') return { type: 'application/rss+xml; charset=utf-8', cacheControl: FEED_CACHE };
  if (base === 'atom.xml') return { type: 'application/atom+xml; charset=utf-8', cacheControl: FEED_CACHE };
  if (base === 'feed.json') return { type: 'application/feed+json; charset=utf-8', cacheControl: FEED_CACHE };
  switch (ext) {
    case '.html':
    case '.htm':
      return { type: 'text/html; charset=utf-8', cacheControl: HTML_CACHE };
    case '.xml':
      return { type: 'application/xml; charset=utf-8', cacheControl: FEED_CACHE };
    case '.json':
      return { type: 'application/json; charset=utf-8', cacheControl: FEED_CACHE };
    case '.css':
      return { type: 'text/css; charset=utf-8', cacheControl: ASSET_CACHE };
    case '.ico':
      return { type: 'image/x-icon', cacheControl: ASSET_CACHE };
    case '.woff2':
      return { type: 'font/woff2', cacheControl: ASSET_CACHE };
  }
  const media = mediaTypeOf(base);
  if (media) return { type: media.type, cacheControl: ASSET_CACHE, ...(media.kind === 'text' ? { attachment: true as const } : {}) };
  return { type: 'application/octet-stream', cacheControl: ASSET_CACHE, attachment: true };
}

/**
 * An SVG is a document that can carry script (`onload`, `<script>`). Opened by itself it would
 * run on the site's origin; the sandbox gives it an opaque origin and no scripts. As an <img>
 * it never runs script anyway, so issues still show it.
 */
const SVG_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'",
};

const ATTACHMENT_HEADERS: Readonly<Record<string, string>> = { 'content-disposition': 'attachment' };

const isHtml = (served: ServedType) => served.type.startsWith('text/html');

/** The headers that keep a file from acting on the site's origin, by how it is served (HTML: headers.ts). */
function protectiveHeaders(served: ServedType): Readonly<Record<string, string>> {
  if (served.type.startsWith('image/svg+xml')) return SVG_HEADERS;
  if (served.attachment) return ATTACHMENT_HEADERS;
  return {};
}

/**
 * Maps a raw request path (still percent-encoded, query removed) to segments inside the root.
 * Returns null for anything that could leave the root or is not a plain path: `..` (raw or
 * encoded), NUL, backslashes, bad percent-encoding.
 */
export function safeSegments(rawPath: string): string[] | null {
  if (!rawPath.startsWith('/')) return null;
  const segments: string[] = [];
  for (const rawSegment of rawPath.split('/')) {
    if (rawSegment === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(rawSegment);
    } catch {
      return null;
    }
    if (segment === '.') continue;
    if (segment === '..' || segment.includes('/') || segment.includes('\\') || segment.includes('\0')) return null;
    segments.push(segment);
  }
  return segments;
}

/** Dot files (the build manifest, temporary files of a build in progress) are never served. */
export function isHidden(segments: string[]): boolean {
  return segments.some((s) => s.startsWith('.'));
}

export interface StaticRequest {
  method: 'GET' | 'HEAD';
  /** Raw path, percent-encoded, without the query string. */
  path: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  /** The request's Accept-Encoding: a precompressed copy of the build (NAME.br, NAME.gz) is served when it asks for one. */
  acceptEncoding?: string;
}

export class StaticFiles {
  private readonly cache = new Map<string, CachedVersion>();
  private rootReal: string | undefined;

  readonly root: string;

  private readonly revalidateMs: number;

  private readonly linkHeader: ((relativePath: string) => string | undefined) | undefined;

  /**
   * revalidateMs: how long a file's version is trusted without a stat() (default 1000; 0 = always stat).
   * linkHeader: the Link header of a file by its path in the root (the feeds' WebSub hub and self).
   */
  constructor(root: string, options: { revalidateMs?: number; linkHeader?: (relativePath: string) => string | undefined } = {}) {
    this.root = path.resolve(root);
    this.revalidateMs = options.revalidateMs ?? 1000;
    this.linkHeader = options.linkHeader;
  }

  async serve(req: StaticRequest): Promise<StaticResult> {
    const segments = safeSegments(req.path);
    if (segments === null) return { status: 400 };
    if (isHidden(segments)) return { status: 404 };
    const wantsDirectory = req.path.endsWith('/');
    let file = path.join(this.root, ...segments);
    if (wantsDirectory) file = path.join(file, 'index.html');
    if (file !== this.root && !file.startsWith(this.root + path.sep)) return { status: 404 };

    // A file checked less than revalidateMs ago is served from memory without a stat():
    // builds replace files by rename, so at worst a client sees the previous version that long.
    const now = Date.now();
    let stats: Stats | undefined;
    let entry = this.cache.get(file);
    if (entry === undefined || now - entry.checkedAt >= this.revalidateMs) {
      try {
        stats = await fs.stat(file);
      } catch {
        return { status: 404 };
      }
      if (stats.isDirectory()) {
        // Relative links in index pages need the trailing slash; the location is rebuilt from
        // checked segments, so nothing from the request reaches the header unescaped.
        return { status: 301, location: `/${segments.map(encodeURIComponent).join('/')}/` };
      }
      if (!stats.isFile()) return { status: 404 };
      const fresh = await this.entryFor(file, stats);
      if (fresh === null) return { status: 404 };
      fresh.checkedAt = now;
      entry = fresh;
    }
    if (isCompressible(file, entry.body.length)) {
      const encoding = preferredEncoding(req.acceptEncoding);
      entry = (encoding && (await this.compressedEntry(file, entry, encoding, now))) || entry;
    }

    if (notModified(req, entry)) return { status: 304, headers: entry.notModifiedHeaders };
    const headers = { ...entry.headers, 'content-length': String(entry.body.length) };
    const file200: StaticFile = req.method === 'HEAD' ? { status: 200, headers } : { status: 200, headers, body: entry.body };
    if (entry.html) file200.html = true;
    return file200;
  }

  /**
   * The build's copy of `file` in `encoding`, or null when there is none or it is stale (written
   * before the file: the build writes copies after their file, so an older copy belongs to older bytes).
   */
  private async compressedEntry(file: string, identity: CachedVersion, encoding: Encoding, now: number): Promise<CachedVersion | null> {
    const copy = `${file}${ENCODINGS.find((e) => e.name === encoding)!.suffix}`;
    let entry = this.cache.get(copy);
    if (entry === undefined || now - entry.checkedAt >= this.revalidateMs) {
      let stats: Stats;
      try {
        stats = await fs.stat(copy);
      } catch {
        return null;
      }
      if (!stats.isFile() || stats.mtimeMs < identity.mtimeMs) return null;
      const fresh = await this.entryFor(copy, stats, { servedAs: file, encoding });
      if (fresh === null) return null;
      fresh.checkedAt = now;
      entry = fresh;
    }
    return entry.mtimeMs < identity.mtimeMs ? null : entry;
  }

  private async entryFor(file: string, stats: Stats, compressed?: { servedAs: string; encoding: Encoding }): Promise<CachedVersion | null> {
    const version = `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
    const cached = this.cache.get(file);
    if (cached && cached.version === version) return cached;

    // A symlink inside the build must not lead outside it.
    if (!(await this.insideRoot(file))) return null;
    let body: Buffer;
    try {
      body = await fs.readFile(file);
    } catch {
      return null;
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    // A rebuild that rewrote identical bytes keeps its old Last-Modified, so clients that only
    // use If-Modified-Since are not told the file changed when it did not.
    const sameBytes = cached !== undefined && cached.etag === etag;
    const lastModifiedSec = sameBytes ? cached.lastModifiedSec : Math.floor(stats.mtimeMs / 1000);
    const servedAs = compressed?.servedAs ?? file;
    const relative = path.relative(this.root, servedAs).split(path.sep).join('/');
    const served = contentTypeFor(servedAs, relative);
    const { type, cacheControl } = served;
    const lastModified = new Date(lastModifiedSec * 1000).toUTCString();
    // Every answer for a file that has compressed copies depends on Accept-Encoding, the identity one too.
    const vary: Record<string, string> = compressed || isCompressible(servedAs, body.length) ? { vary: 'accept-encoding' } : {};
    const link = this.linkHeader?.(relative);
    const headers: Record<string, string> = {
      etag,
      'last-modified': lastModified,
      'cache-control': cacheControl,
      'content-type': type,
      ...(compressed ? { 'content-encoding': compressed.encoding } : {}),
      ...vary,
      ...(link ? { link } : {}),
      'x-content-type-options': 'nosniff',
      ...protectiveHeaders(served),
    };
    const notModifiedHeaders = { etag, 'last-modified': lastModified, 'cache-control': cacheControl, ...vary };
    const entry: CachedVersion = {
      version,
      mtimeMs: stats.mtimeMs,
      etag,
      lastModifiedSec,
      lastModified,
      body,
      contentType: type,
      cacheControl,
      html: isHtml(served),
      headers,
      notModifiedHeaders,
      checkedAt: 0,
    };
    if (body.length <= MAX_CACHED_BYTES) this.cache.set(file, entry);
    else this.cache.delete(file);
    return entry;
  }

  private async insideRoot(file: string): Promise<boolean> {
    try {
      this.rootReal ??= await fs.realpath(this.root);
      const real = await fs.realpath(file);
      return real === this.rootReal || real.startsWith(this.rootReal + path.sep);
    } catch {
      return false;
    }
  }
}

/** RFC 9110 13.2.2: If-None-Match wins; If-Modified-Since only when it is absent. */
function notModified(req: StaticRequest, entry: CachedVersion): boolean {
  if (req.ifNoneMatch !== undefined) {
    const value = req.ifNoneMatch.trim();
    if (value === '*') return true;
    // Weak comparison, as the RFC requires for If-None-Match.
    const strip = (tag: string) => tag.trim().replace(/^W\//, '');
    const mine = strip(entry.etag);
    return value.split(',').some((tag) => strip(tag) === mine);
  }
  if (req.ifModifiedSince !== undefined) {
    const since = Date.parse(req.ifModifiedSince);
    if (Number.isNaN(since)) return false;
    return entry.lastModifiedSec <= Math.floor(since / 1000);
  }
  return false;
}
