// Configuration: defaults <- pressroom.config.json <- environment <- command-line flags, resolved
// here and only here. The settings, their types and defaults are schema.ts; the environment
// variables are the table in env.ts; what a value must satisfy beyond its type is checks.ts.
// Everything downstream receives one deep-frozen Config and never reads process.env itself, so
// tests can build a Config directly (defaultConfig).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import {
  checkBounceAddress,
  checkDkim,
  checkEventEndpoint,
  checkHubs,
  checkImapUrl,
  checkLease,
  checkSchedule,
  checkSecret,
  checkSendgridKey,
  checkSmtpUrl,
  checkTimeZone,
  checkTopicArns,
  checkWebhookSecret,
} from './checks.js';
import { parseDatabaseUrl } from './database-url.js';
import { ENV_VARIABLES, EnvSyntaxError, port, redact, redactUrlPassword, trustProxy, type EnvParser, type EnvVariable } from './env.js';
import { ConfigError } from './errors.js';
import { configSchema, fileSchema, PATH_SETTINGS, SECTIONS, settingSchema, type Config, type ConfigLayer } from './schema.js';

export { ConfigError } from './errors.js';
export type { Config } from './schema.js';

/** Flags the CLI may pass; they win over the file and the environment. */
export interface ConfigOverrides {
  config?: string;
  issues?: string;
  out?: string;
  siteUrl?: string;
  dataDir?: string;
  /** A number, or the flag's text (checked here). */
  port?: number | string;
  host?: string;
  /** The flag's text; a bare `--trust-proxy` is true (one hop). */
  trustProxy?: string | boolean;
  production?: boolean;
}

interface Flag {
  flag: string;
  option: Exclude<keyof ConfigOverrides, 'config'>;
  path: string;
  parse?: EnvParser;
  isPath?: boolean;
}

/** The flags that set a setting (see ConfigOverrides); `--config` names the file instead. */
const FLAGS: readonly Flag[] = [
  { flag: '--issues', option: 'issues', path: 'issuesDir', isPath: true },
  { flag: '--out', option: 'out', path: 'outDir', isPath: true },
  { flag: '--data-dir', option: 'dataDir', path: 'dataDir', isPath: true },
  { flag: '--site-url', option: 'siteUrl', path: 'site.url' },
  { flag: '--port', option: 'port', path: 'port', parse: port },
  { flag: '--host', option: 'host', path: 'host' },
  { flag: '--trust-proxy', option: 'trustProxy', path: 'trustProxy', parse: trustProxy },
  { flag: '--production', option: 'production', path: 'production' },
];

/** Where each setting that is not a default came from, to name it in a message. */
type Sources = Map<string, string>;

/**
 * The site URL when none is configured: where this machine's server listens. Every command
 * (start, build, preview, send) derives it the same way, so links, feeds and List-Unsubscribe
 * headers all point at the port PRESSROOM_PORT names.
 */
function localSiteUrl(port: number): string {
  return `http://localhost:${port}/`;
}

/** The defaults, paths relative to `cwd`: a mutable Config for tests and library use. */
export function defaultConfig(cwd: string = process.cwd()): Config {
  return resolvePaths(configSchema.parse({}), cwd);
}

/**
 * Resolves, checks and freezes the configuration. Relative paths in the file are relative to the
 * file; relative paths from the environment, flags and defaults are relative to `cwd`.
 */
export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const sources: Sources = new Map();
  const layers: ConfigLayer[] = [];
  const explicit = overrides.config ?? env.PRESSROOM_CONFIG;
  const configPath = path.resolve(cwd, explicit ?? 'pressroom.config.json');
  if (explicit !== undefined || existsSync(configPath)) layers.push(fileLayer(configPath, sources));
  layers.push(
    textLayer(
      ENV_VARIABLES,
      (v) => env[v.name],
      (v) => v.name,
      cwd,
      sources,
    ),
  );
  layers.push(
    textLayer(
      FLAGS,
      (f) => overrides[f.option],
      (f) => f.flag,
      cwd,
      sources,
    ),
  );

  const config = resolvePaths(layers.reduce(merge, configSchema.parse({})), cwd);
  config.site.url = sources.has('site.url') ? withSlash(config.site.url) : localSiteUrl(config.port);
  check(config, (setting) => sources.get(setting) ?? setting);
  return deepFreeze(config);
}

/**
 * The configuration a server listening on `port` runs with: for port 0 (any free port) the one it
 * got, and a site URL derived from the port follows it. A new frozen object; `config` is unchanged.
 */
export function withListeningPort(config: Config, port: number): Config {
  if (port === config.port) return config;
  const derived = config.site.url === localSiteUrl(config.port);
  return deepFreeze({ ...structuredClone(config), port, site: { ...config.site, url: derived ? localSiteUrl(port) : config.site.url } });
}

/** Freezes an object and everything in it (the loaded Config is never changed afterwards). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function check(config: Config, where: (setting: string) => string): void {
  checkTimeZone(config.site.timeZone, where('site.timeZone'));
  checkSchedule(config.schedule, where('schedule'));
  if (config.secret !== undefined) checkSecret(config.secret, where('secret'));
  parseDatabaseUrl(config.databaseUrl, where('databaseUrl'));
  if (config.email.dkim) checkDkim(config.email.dkim, where('email.dkim'));
  if (config.email.bounceAddress !== undefined) checkBounceAddress(config.email.bounceAddress, where('email.bounceAddress'));
  checkHubs(config.feeds.websubHubs, where('feeds.websubHubs'));
  checkEventEndpoint(config.events, { url: where('events.url'), secret: where('events.secret') });
  const { webhooks, inbound } = config;
  if (webhooks.sesTopicArns) checkTopicArns(webhooks.sesTopicArns, where('webhooks.sesTopicArns'));
  if (webhooks.postmarkToken !== undefined) checkWebhookSecret(webhooks.postmarkToken, where('webhooks.postmarkToken'));
  if (webhooks.mailgunSigningKey !== undefined) checkWebhookSecret(webhooks.mailgunSigningKey, where('webhooks.mailgunSigningKey'));
  if (webhooks.sendgridPublicKey !== undefined) checkSendgridKey(webhooks.sendgridPublicKey, where('webhooks.sendgridPublicKey'));
  if (inbound.port !== undefined && inbound.port !== 0 && inbound.port === config.port && inbound.host === config.host)
    throw new ConfigError(`${where('inbound.port')}: ${inbound.port} is also the HTTP port (expected another port, e.g. 2525 or 25)`);
  if (inbound.imapUrl !== undefined) checkImapUrl(inbound.imapUrl, where('inbound.imapUrl'), redactUrlPassword(inbound.imapUrl));
  const smtp = config.smtpUrl === undefined ? undefined : checkSmtpUrl(config.smtpUrl, where('smtpUrl'));
  if (smtp) checkLease(config.smtp.leaseSeconds, smtp, { lease: where('smtp.leaseSeconds'), smtpUrl: where('smtpUrl') });
}

function fileLayer(file: string, sources: Sources): ConfigLayer {
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
    throw new ConfigError(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  // An empty top-level string is unset, as an empty environment variable is.
  const layer = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== '')) as ConfigLayer;
  for (const [key, value] of Object.entries(layer)) {
    if (isSection(key)) for (const inner of Object.keys(value as object)) sources.set(`${key}.${inner}`, `${file}: ${key}.${inner}`);
    else sources.set(key, `${file}: ${key}`);
  }
  return resolvePaths(layer, path.dirname(file));
}

/** The environment's or the flags' layer: each value read by its parser, then checked by its setting's schema. */
function textLayer<T extends EnvVariable | Flag>(rows: readonly T[], readValue: (row: T) => unknown, nameOf: (row: T) => string, cwd: string, sources: Sources): ConfigLayer {
  const layer: ConfigLayer = {};
  for (const row of rows) {
    const given = readValue(row);
    if (given === undefined || given === '' || given === false) continue;
    const name = nameOf(row);
    const shown = typeof given === 'string' ? redact('secret' in row ? row : undefined, given) : String(given);
    let value: unknown = given;
    if (typeof given === 'string' && row.parse) {
      try {
        value = row.parse(given, name);
      } catch (err) {
        if (!(err instanceof EnvSyntaxError)) throw err;
        throw new ConfigError(err.complete ? err.message : `${name}: "${shown}" ${err.message}`);
      }
    } else if (typeof given === 'boolean' && row.parse) {
      value = row.parse(String(given), name);
    }
    const checked = settingSchema(row.path).safeParse(value);
    if (!checked.success) throw new ConfigError(`${name}: "${shown}" ${issueText(checked.error)}`);
    set(layer, row.path, row.isPath ? path.resolve(cwd, checked.data as string) : checked.data);
    sources.set(row.path, name);
  }
  return layer;
}

function issueText(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'is not valid';
}

function isSection(key: string): key is (typeof SECTIONS)[number] {
  return (SECTIONS as readonly string[]).includes(key);
}

function set(layer: ConfigLayer, dotted: string, value: unknown): void {
  const [key, inner] = dotted.split('.') as [keyof Config, string | undefined];
  const target = layer as Record<string, unknown>;
  if (inner === undefined) target[key] = value;
  else target[key] = { ...(target[key] as object | undefined), [inner]: value };
}

/** A later layer wins: a top-level setting whole, a section key by key. */
function merge(config: Config, layer: ConfigLayer): Config {
  const out: Record<string, unknown> = { ...config };
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    out[key] = isSection(key) ? { ...(out[key] as object), ...stripUndefined(value as object) } : value;
  }
  return out as Config;
}

function stripUndefined(object: object): object {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

/** The path settings present in `layer`, resolved against `base` (absolute ones stay). */
function resolvePaths<T extends ConfigLayer>(layer: T, base: string): T {
  const out = structuredClone(layer) as Record<string, Record<string, unknown> | unknown>;
  for (const dotted of PATH_SETTINGS) {
    const keys = dotted.split('.');
    let holder = out as Record<string, unknown> | undefined;
    for (const key of keys.slice(0, -1)) holder = holder?.[key] as Record<string, unknown> | undefined;
    const last = keys.at(-1)!;
    if (holder && typeof holder[last] === 'string') holder[last] = path.resolve(base, holder[last] as string);
  }
  return out as T;
}

function withSlash(url: string): string {
  const href = new URL(url).href;
  return href.endsWith('/') ? href : `${href}/`;
}
