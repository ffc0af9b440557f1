// Configuration: defaults <- pressroom.config.json <- environment <- command-line flags.
// Everything downstream receives a plain, fully resolved Config object and never reads
// process.env itself, so tests can build a Config directly.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { OUTBOX_URL, parseSmtpUrl, redactSmtpUrl, SmtpUrlError } from './smtp-url.js';

const author = z.object({
  name: z.string().min(1),
  email: z.string().optional(),
  url: z.string().optional(),
});

const fileSchema = z
  .object({
    site: z
      .object({
        title: z.string().min(1),
        url: z.string().url(),
        description: z.string(),
        language: z.string().min(2),
        timeZone: z.string().min(1),
        author,
        feedItems: z.number().int().positive(),
      })
      .partial(),
    issuesDir: z.string(),
    outDir: z.string(),
    dataDir: z.string(),
    databaseUrl: z.string(),
    smtpUrl: z.string(),
    port: z.number().int().min(0).max(65535),
    adminToken: z.string(),
    metricsToken: z.string(),
    metricsPublic: z.boolean(),
    secret: z.string(),
    schedule: z.string(),
    pollSeconds: z.number().min(0),
    email: z
      .object({
        fromName: z.string(),
        fromAddress: z.string(),
        replyTo: z.string(),
        subject: z.string(),
        postalAddress: z.string(),
        listId: z.string(),
        feedbackId: z.string(),
        unsubscribeMailto: z.string(),
        templatesDir: z.string(),
        dkim: z.object({ domain: z.string(), selector: z.string(), privateKeyPath: z.string() }),
      })
      .partial(),
    smtp: z
      .object({
        maxConnections: z.number().int().positive(),
        rateLimit: z.number().positive(),
        maxAttempts: z.number().int().positive(),
        batchSize: z.number().int().positive(),
        rateLimitScope: z.enum(['campaign', 'process']),
        leaseSeconds: z.number().positive(),
        systemRetrySeconds: z.number().positive(),
      })
      .partial(),
  })
  .partial()
  .strict();

export type ConfigFile = z.infer<typeof fileSchema>;

export interface Config {
  site: {
    title: string;
    url: string; // always ends with '/'
    description: string;
    language: string;
    timeZone: string;
    author: { name: string; email?: string; url?: string };
    feedItems: number;
  };
  issuesDir: string;
  outDir: string;
  dataDir: string;
  databaseUrl?: string;
  smtpUrl?: string;
  port: number;
  adminToken?: string;
  /** Bearer token for /metrics (the admin token works too). */
  metricsToken?: string;
  /** /metrics without a token, on purpose (it tells how many subscribers each status has). */
  metricsPublic?: boolean;
  secret?: string;
  schedule: string;
  /** How often an idle worker looks for campaigns with rows to send (default 10; 0 = schedule only). */
  pollSeconds?: number;
  email: {
    fromName: string;
    fromAddress: string;
    replyTo?: string;
    subject: string;
    postalAddress: string;
    listId: string;
    feedbackId: string;
    unsubscribeMailto?: string;
    templatesDir: string;
    dkim?: { domain: string; selector: string; privateKeyPath: string };
  };
  smtp: {
    maxConnections: number;
    /** Messages per second; see rateLimitScope. */
    rateLimit?: number;
    /** 'campaign' (default): rateLimit holds for each campaign across every worker sharing the store
     * (a token bucket in the store); 'process': each process sends at up to rateLimit on its own. */
    rateLimitScope?: 'campaign' | 'process';
    maxAttempts: number;
    batchSize: number;
    /** How long a worker holds claimed ledger rows before another may take them (default 1800, see DEFAULT_LEASE_SECONDS). */
    leaseSeconds?: number;
    /** Delay before the 2nd attempt of a confirm/welcome email; doubles per attempt (default 30). */
    systemRetrySeconds?: number;
  };
  /**
   * NODE_ENV=production or `--production`: nothing falls back to a development default that
   * silently changes behaviour (e.g. no SMTP_URL means no transport, not the outbox folder).
   */
  production?: boolean;
}

/** Flags the CLI may pass; they win over the file and the environment. */
export interface ConfigOverrides {
  config?: string;
  issues?: string;
  out?: string;
  siteUrl?: string;
  dataDir?: string;
  port?: number;
  production?: boolean;
}

export class ConfigError extends Error {}

const DEFAULT_PORT = 8080;

/**
 * The site URL when none is configured: where this machine's server listens. Every command
 * (start, build, preview, send) derives it the same way, so links, feeds and List-Unsubscribe
 * headers all point at the port PRESSROOM_PORT names.
 */
export function localSiteUrl(port: number): string {
  return `http://localhost:${port}/`;
}

export function defaultConfig(cwd: string = process.cwd()): Config {
  return {
    site: {
      title: 'Pressroom',
      url: localSiteUrl(DEFAULT_PORT),
      description: '',
      language: 'en',
      timeZone: 'UTC',
      author: { name: 'Pressroom' },
      feedItems: 20,
    },
    issuesDir: path.resolve(cwd, 'issues'),
    outDir: path.resolve(cwd, 'public'),
    dataDir: path.resolve(cwd, 'data'),
    port: DEFAULT_PORT,
    schedule: '*/5 * * * *',
    email: {
      fromName: 'Pressroom',
      fromAddress: 'newsletter@localhost',
      subject: '{{ title }}',
      postalAddress: '',
      listId: 'newsletter.localhost',
      feedbackId: 'newsletter:pressroom',
      templatesDir: path.resolve(cwd, 'emails'),
    },
    smtp: { maxConnections: 5, maxAttempts: 5, batchSize: 500 },
  };
}

/**
 * Resolves the configuration. Relative paths in the file are relative to the file;
 * relative paths from the environment and flags are relative to `cwd`.
 */
export function loadConfig(
  overrides: ConfigOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Config {
  const config = defaultConfig(cwd);
  const explicit = overrides.config ?? env.PRESSROOM_CONFIG;
  const configPath = path.resolve(cwd, explicit ?? 'pressroom.config.json');
  // Where the effective site URL and SMTP URL came from, to name them in an error.
  let siteUrlFrom: string | null = null;
  let smtpUrlFrom = 'SMTP_URL';
  if (explicit !== undefined || existsSync(configPath)) {
    const file = readConfigFile(configPath);
    applyFile(config, file, path.dirname(configPath));
    if (file.site?.url) siteUrlFrom = `${configPath}: site.url`;
    if (file.smtpUrl) smtpUrlFrom = `${configPath}: smtpUrl`;
  }

  const fromCwd = (p: string) => path.resolve(cwd, p);
  if (env.PRESSROOM_ISSUES_DIR) config.issuesDir = fromCwd(env.PRESSROOM_ISSUES_DIR);
  if (env.PRESSROOM_OUT_DIR) config.outDir = fromCwd(env.PRESSROOM_OUT_DIR);
  if (env.PRESSROOM_DATA_DIR) config.dataDir = fromCwd(env.PRESSROOM_DATA_DIR);
  if (env.PRESSROOM_SITE_URL) {
    config.site.url = env.PRESSROOM_SITE_URL;
    siteUrlFrom = 'PRESSROOM_SITE_URL';
  }
  if (env.DATABASE_URL) config.databaseUrl = env.DATABASE_URL;
  if (env.SMTP_URL) {
    config.smtpUrl = env.SMTP_URL;
    smtpUrlFrom = 'SMTP_URL';
  }
  if (env.PRESSROOM_PORT) config.port = parsePort(env.PRESSROOM_PORT, 'PRESSROOM_PORT');
  if (env.PRESSROOM_ADMIN_TOKEN) config.adminToken = env.PRESSROOM_ADMIN_TOKEN;
  if (env.PRESSROOM_METRICS_TOKEN) config.metricsToken = env.PRESSROOM_METRICS_TOKEN;
  if (env.PRESSROOM_METRICS_PUBLIC) config.metricsPublic = parseSwitch(env.PRESSROOM_METRICS_PUBLIC, 'PRESSROOM_METRICS_PUBLIC');
  if (env.PRESSROOM_SECRET) config.secret = env.PRESSROOM_SECRET;
  if (env.PRESSROOM_SCHEDULE) config.schedule = env.PRESSROOM_SCHEDULE;
  if (env.PRESSROOM_POLL_SECONDS) config.pollSeconds = parseSeconds(env.PRESSROOM_POLL_SECONDS, 'PRESSROOM_POLL_SECONDS');

  if (overrides.issues) config.issuesDir = fromCwd(overrides.issues);
  if (overrides.out) config.outDir = fromCwd(overrides.out);
  if (overrides.dataDir) config.dataDir = fromCwd(overrides.dataDir);
  if (overrides.siteUrl) {
    config.site.url = overrides.siteUrl;
    siteUrlFrom = '--site-url';
  }
  if (overrides.port !== undefined) config.port = overrides.port;
  if (env.NODE_ENV === 'production' || overrides.production) config.production = true;

  config.site.url = siteUrlFrom === null ? localSiteUrl(config.port) : normalizeSiteUrl(config.site.url, siteUrlFrom);
  if (config.smtpUrl !== undefined) checkSmtpUrl(config.smtpUrl, smtpUrlFrom);
  checkTimeZone(config.site.timeZone);
  return config;
}

function readConfigFile(file: string): ConfigFile {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`${file}: cannot read the configuration file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.') || '(top level)';
    throw new ConfigError(`${file}: ${where}: ${issue.message}`);
  }
  return parsed.data;
}

function applyFile(config: Config, file: ConfigFile, base: string): void {
  const rel = (p: string) => path.resolve(base, p);
  if (file.site) Object.assign(config.site, file.site);
  if (file.issuesDir) config.issuesDir = rel(file.issuesDir);
  if (file.outDir) config.outDir = rel(file.outDir);
  if (file.dataDir) config.dataDir = rel(file.dataDir);
  if (file.databaseUrl) config.databaseUrl = file.databaseUrl;
  if (file.smtpUrl) config.smtpUrl = file.smtpUrl;
  if (file.port !== undefined) config.port = file.port;
  if (file.adminToken) config.adminToken = file.adminToken;
  if (file.metricsToken) config.metricsToken = file.metricsToken;
  if (file.metricsPublic !== undefined) config.metricsPublic = file.metricsPublic;
  if (file.secret) config.secret = file.secret;
  if (file.schedule) config.schedule = file.schedule;
  if (file.pollSeconds !== undefined) config.pollSeconds = file.pollSeconds;
  if (file.email) {
    const { templatesDir, dkim, ...rest } = file.email;
    Object.assign(config.email, rest);
    if (templatesDir) config.email.templatesDir = rel(templatesDir);
    if (dkim) config.email.dkim = { ...dkim, privateKeyPath: rel(dkim.privateKeyPath) };
  }
  if (file.smtp) Object.assign(config.smtp, file.smtp);
}

function normalizeSiteUrl(url: string, setting: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${setting}: "${url}" is not an absolute URL (expected e.g. https://news.example.org/)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${setting}: "${url}" must be http or https`);
  }
  return parsed.href.endsWith('/') ? parsed.href : `${parsed.href}/`;
}

function checkSmtpUrl(url: string, setting: string): void {
  if (url === OUTBOX_URL) return;
  try {
    parseSmtpUrl(url);
  } catch (err) {
    if (!(err instanceof SmtpUrlError)) throw err;
    throw new ConfigError(`${setting}: "${redactSmtpUrl(url)}" ${err.message}`);
  }
}

function checkTimeZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new ConfigError(`site.timeZone: "${zone}" is not an IANA time zone (expected e.g. Asia/Shanghai)`);
  }
}

function parseSeconds(value: string, name: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new ConfigError(`${name}: "${value}" is not a number of seconds (expected e.g. 10, or 0 to turn it off)`);
  return n;
}

function parseSwitch(value: string, name: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value.trim())) return true;
  if (/^(0|false|no|off)$/i.test(value.trim())) return false;
  throw new ConfigError(`${name}: "${value}" is not on or off (expected 1 or 0)`);
}

function parsePort(value: string, name: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${name}: "${value}" is not a port number (expected 0-65535)`);
  }
  return port;
}
