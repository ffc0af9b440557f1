// WebSub (W3C Recommendation): after a build that changed a feed, tell each configured hub, so
// subscribers (Feedbin, Inoreader, RSS-to-email services) fetch it now instead of at their next
// poll. The publish ping is the one hubs share (hub.mode=publish, hub.url=<feed URL>, form-encoded);
// the spec leaves publishing to the hub. Never blocks or fails a build: errors are retried with
// backoff, then logged.
import { isFeedFile } from './model.js';

/** What the pings are reported to: the service's pino logger, or the CLI's lines. */
export interface PingLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface PingOptions {
  /** Attempts per hub and feed (default 4). */
  attempts?: number;
  /** Delay before the 2nd attempt, doubled for each next one (default 2 s). */
  retryDelayMs?: number;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Default: a timer that keeps the process alive (the CLI waits for its pings). */
  sleep?: (ms: number) => Promise<void>;
}

export interface PingResult {
  hub: string;
  feed: string;
  ok: boolean;
  attempts: number;
  /** The last HTTP status, or the network error, when it did not succeed. */
  error?: string;
}

/**
 * The HTTP Link header of a feed of the output (relative path), or undefined for other files:
 * its hubs and itself, as WebSub discovery reads them before looking inside the feed.
 */
export function feedLinkHeader(siteUrl: string, hubs: readonly string[]): (relativePath: string) => string | undefined {
  return (relativePath) => {
    if (!isFeedFile(relativePath)) return undefined;
    const self = new URL(relativePath, siteUrl).href;
    return [...hubs.map((hub) => `<${hub}>; rel="hub"`), `<${self}>; rel="self"`].join(', ');
  };
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** For a long-running process: a retry still waiting does not keep it from exiting on SIGTERM. */
export const backgroundSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Pings every hub about every changed feed; resolves when all are done (it never rejects). */
export async function pingHubs(hubs: readonly string[], feeds: readonly string[], log: PingLog, options: PingOptions = {}): Promise<PingResult[]> {
  const jobs = hubs.flatMap((hub) => feeds.map((feed) => pingOne(hub, feed, options)));
  const results = await Promise.all(jobs);
  for (const r of results) {
    if (r.ok) log.info({ hub: r.hub, feed: r.feed, attempts: r.attempts }, 'websub hub pinged');
    else log.warn({ hub: r.hub, feed: r.feed, attempts: r.attempts, error: r.error }, 'websub hub ping failed; subscribers will see the change at their next poll');
  }
  return results;
}

async function pingOne(hub: string, feed: string, options: PingOptions): Promise<PingResult> {
  const attempts = options.attempts ?? 4;
  const sleep = options.sleep ?? sleepFor;
  let error = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep((options.retryDelayMs ?? 2000) * 2 ** (attempt - 2));
    try {
      const res = await fetch(hub, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': feed }).toString(),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        redirect: 'error',
      });
      await res.arrayBuffer().catch(() => undefined);
      // 2xx: accepted (hubs answer 202 or 204). 4xx other than 429 will not change by retrying.
      if (res.ok) return { hub, feed, ok: true, attempts: attempt };
      error = `HTTP ${res.status}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 429) return { hub, feed, ok: false, attempts: attempt, error };
    } catch (err) {
      error = (err as Error).message;
    }
  }
  return { hub, feed, ok: false, attempts, error };
}
