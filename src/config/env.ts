// The one table of environment variables: which setting each sets, how its text is read, and
// whether its value is a secret. It drives the loader (readEnvironment), the redaction of values in
// messages (redact) and the README's configuration table (test/config/env-docs.test.ts checks them).
import { parseTrustProxy } from './trust-proxy.js';

export type EnvParser = (text: string, name: string) => unknown;

export interface EnvVariable {
  name: string;
  /** Dotted path of the setting in Config ('smtp.leaseSeconds'). */
  path: string;
  /** Reads the text; throws EnvSyntaxError (the loader names the variable) for a malformed one. */
  parse: EnvParser;
  /** Its value never appears in a message: a URL's password, or the whole value. */
  secret?: 'url-password' | 'value';
  /** A path: relative to the working directory. */
  isPath?: boolean;
}

/** The text of an environment variable does not read as its kind; `expected` says what would. */
export class EnvSyntaxError extends Error {
  /** complete: the message already names the variable and its value. */
  constructor(
    message: string,
    readonly complete = false,
  ) {
    super(message);
  }
}

const text: EnvParser = (value) => value;

const seconds: EnvParser = (value) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new EnvSyntaxError('is not a number of seconds (expected e.g. 10, or 0 to turn it off)');
  return n;
};

const onOff: EnvParser = (value) => {
  if (/^(1|true|yes|on)$/i.test(value.trim())) return true;
  if (/^(0|false|no|off)$/i.test(value.trim())) return false;
  throw new EnvSyntaxError('is not on or off (expected 1 or 0)');
};

export const port: EnvParser = (value) => {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n < 0 || n > 65535) throw new EnvSyntaxError('is not a port number (expected 0-65535)');
  return n;
};

export const trustProxy: EnvParser = (value, name) => {
  const parsed = parseTrustProxy(value, name);
  if (!parsed.ok) throw new EnvSyntaxError(parsed.error, true);
  return parsed.value;
};

/** A comma-separated list (blanks ignored). */
const list: EnvParser = (value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** NODE_ENV: only "production" means anything to Pressroom; any other value is development. */
const production: EnvParser = (value) => value === 'production';

export const ENV_VARIABLES: readonly EnvVariable[] = [
  { name: 'PRESSROOM_SITE_URL', path: 'site.url', parse: text },
  { name: 'PRESSROOM_ISSUES_DIR', path: 'issuesDir', parse: text, isPath: true },
  { name: 'PRESSROOM_OUT_DIR', path: 'outDir', parse: text, isPath: true },
  { name: 'PRESSROOM_DATA_DIR', path: 'dataDir', parse: text, isPath: true },
  { name: 'DATABASE_URL', path: 'databaseUrl', parse: text, secret: 'url-password' },
  { name: 'SMTP_URL', path: 'smtpUrl', parse: text, secret: 'url-password' },
  { name: 'PRESSROOM_PORT', path: 'port', parse: port },
  { name: 'PRESSROOM_ADMIN_TOKEN', path: 'adminToken', parse: text, secret: 'value' },
  { name: 'PRESSROOM_METRICS_TOKEN', path: 'metricsToken', parse: text, secret: 'value' },
  { name: 'PRESSROOM_METRICS_PUBLIC', path: 'metricsPublic', parse: onOff },
  { name: 'PRESSROOM_SECRET', path: 'secret', parse: text, secret: 'value' },
  { name: 'PRESSROOM_SCHEDULE', path: 'schedule', parse: text },
  { name: 'PRESSROOM_POLL_SECONDS', path: 'pollSeconds', parse: seconds },
  { name: 'PRESSROOM_WEBSUB_HUBS', path: 'feeds.websubHubs', parse: list },
  { name: 'PRESSROOM_EVENTS_URL', path: 'events.url', parse: text },
  { name: 'PRESSROOM_EVENTS_SECRET', path: 'events.secret', parse: text, secret: 'value' },
  { name: 'PRESSROOM_BOUNCE_ADDRESS', path: 'email.bounceAddress', parse: text },
  { name: 'PRESSROOM_INBOUND_PORT', path: 'inbound.port', parse: port },
  { name: 'PRESSROOM_INBOUND_HOST', path: 'inbound.host', parse: text },
  { name: 'PRESSROOM_INBOUND_IMAP_URL', path: 'inbound.imapUrl', parse: text, secret: 'url-password' },
  { name: 'PRESSROOM_SES_TOPIC_ARNS', path: 'webhooks.sesTopicArns', parse: list },
  { name: 'PRESSROOM_POSTMARK_WEBHOOK_TOKEN', path: 'webhooks.postmarkToken', parse: text, secret: 'value' },
  { name: 'PRESSROOM_MAILGUN_SIGNING_KEY', path: 'webhooks.mailgunSigningKey', parse: text, secret: 'value' },
  { name: 'PRESSROOM_SENDGRID_PUBLIC_KEY', path: 'webhooks.sendgridPublicKey', parse: text },
  { name: 'NODE_ENV', path: 'production', parse: production },
  { name: 'PRESSROOM_HOST', path: 'host', parse: text },
  { name: 'PRESSROOM_TRUST_PROXY', path: 'trustProxy', parse: trustProxy },
  { name: 'PRESSROOM_WORKER_ID', path: 'workerId', parse: text },
  { name: 'PRESSROOM_LOG_LEVEL', path: 'logLevel', parse: text },
];

/** A value as it may appear in a message or log line: `user:***@` for URLs, `***` for tokens. */
export function redact(variable: Pick<EnvVariable, 'secret'> | undefined, value: string): string {
  if (variable?.secret === 'value') return '***';
  if (variable?.secret === 'url-password') return redactUrlPassword(value);
  return value;
}

/** scheme://user:***@host: the password of a URL never appears in a message or log line. */
export function redactUrlPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)(.*)@/i, '$1***@');
}

/**
 * The effective configuration as the console shows it, one row per setting (dotted path, value as
 * text), every secret setting of the table through redact(): a token as `***`, a URL without its password.
 */
export function redactedSettings(config: object): Array<{ setting: string; value: string }> {
  const secrets = new Map(ENV_VARIABLES.filter((v) => v.secret).map((v) => [v.path, v]));
  const rows: Array<{ setting: string; value: string }> = [];
  const walk = (value: unknown, at: string) => {
    const secret = secrets.get(at);
    if (secret) rows.push({ setting: at, value: typeof value === 'string' ? redact(secret, value) : '***' });
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) if (inner !== undefined) walk(inner, at === '' ? key : `${at}.${key}`);
    } else rows.push({ setting: at, value: typeof value === 'string' ? value : JSON.stringify(value) });
  };
  walk(config, '');
  return rows;
}
