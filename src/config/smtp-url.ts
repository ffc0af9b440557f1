// The one reading of SMTP_URL / smtpUrl. The configuration checks it when it loads (so a typo is
// a one-line configuration error before anything starts) and the SMTP transport builds its
// connection options from the same parse, so the two can never disagree.
//
//   smtp://user:pass@host:587?socketTimeout=30000&tls.rejectUnauthorized=false
//   smtps://user:pass@host:465
//   outbox:                      (explicitly: write .eml files into the data folder)

import { redactUrlPassword } from './env.js';

/** The explicit spelling of "no SMTP server: write every message into the outbox folder". */
export const OUTBOX_URL = 'outbox:';

type OptionKind = 'ms' | 'boolean' | 'string';

/** Query options a URL may carry: nodemailer's connection options plus our own three. */
const QUERY_OPTIONS: Record<string, OptionKind> = {
  connectionTimeout: 'ms',
  greetingTimeout: 'ms',
  socketTimeout: 'ms',
  dnsTimeout: 'ms',
  socketCloseTimeout: 'ms',
  requireTLS: 'boolean',
  ignoreTLS: 'boolean',
  opportunisticTLS: 'boolean',
  name: 'string',
  localAddress: 'string',
  authMethod: 'string',
  'tls.rejectUnauthorized': 'boolean',
  'tls.servername': 'string',
  'tls.minVersion': 'string',
  'tls.maxVersion': 'string',
  'tls.ciphers': 'string',
  // Ours: the bound on one message up to its final dot, and the wait for the answer after it (see transports/smtp.ts).
  messageTimeout: 'ms',
  dataTimeout: 'ms',
  // Ours: let credentials go out on a connection that never became TLS (see requiresTls).
  allowPlainAuth: 'boolean',
  // Ours: which SMTP client sends (delivery/transports/smtp-pipelining.ts by default, or nodemailer's pool).
  client: 'string',
};

/** The SMTP clients ?client= may pick; the first is the default. */
export const SMTP_CLIENTS = ['pipelining', 'nodemailer'] as const;

/** Options that would let the password go out in clear; refused unless allowPlainAuth=true. */
const PLAINTEXT_OPTIONS: Array<[string, boolean]> = [
  ['requireTLS', false],
  ['ignoreTLS', true],
  ['opportunisticTLS', true],
];

export interface SmtpUrl {
  /** smtps:// = TLS from the first byte; smtp:// = STARTTLS when offered (or required). */
  secure: boolean;
  host: string;
  port: number;
  auth?: { user: string; pass: string };
  /** nodemailer connection options from the query string (tls.* in `tls`). */
  options: Record<string, string | number | boolean>;
  tls: Record<string, string | number | boolean>;
  /** The bound on one message up to its final dot (default 2 minutes). */
  messageTimeout: number;
  /** How long to wait for the answer after the final dot (RFC 5321: 10 minutes). */
  dataTimeout: number;
  allowPlainAuth: boolean;
}

/** messageTimeout and dataTimeout when the URL does not set them (ms). */
const SEND_TIMEOUT_DEFAULTS = { messageTimeout: 2 * 60_000, dataTimeout: 10 * 60_000 } as const;

export class SmtpUrlError extends Error {}

/** smtp://user:***@host: the password never appears in a message or log line. */
export const redactSmtpUrl = redactUrlPassword;

/** The longest one send may take: up to the final dot, then the wait for the answer. A claim's lease must exceed it. */
export function maxSendMs(url: SmtpUrl): number {
  return url.messageTimeout + url.dataTimeout;
}

/**
 * Parses an smtp:// or smtps:// URL; throws SmtpUrlError saying what is wrong and what was
 * expected (without the URL itself: the caller names the setting and the redacted value).
 */
export function parseSmtpUrl(raw: string): SmtpUrl {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined || !raw.slice(scheme.length + 1).startsWith('//')) {
    throw new SmtpUrlError(`is not a URL (expected smtp://host:587, smtps://host:465 or ${OUTBOX_URL})`);
  }
  if (scheme !== 'smtp' && scheme !== 'smtps') {
    throw new SmtpUrlError(`must start with smtp:// or smtps:// (or be ${OUTBOX_URL}), not ${scheme}://`);
  }
  // Checked before URL parsing, which would only say "Invalid URL" about a bad port.
  const port = writtenPort(raw.slice(scheme.length + 3));
  if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new SmtpUrlError(`port "${port}" is not a port number (expected 1-65535)`);
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw new SmtpUrlError(`port ${port} is out of range (expected 1-65535)`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SmtpUrlError(`is not a valid URL (expected e.g. ${scheme}://user:password@mail.example.org:${scheme === 'smtps' ? 465 : 587})`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new SmtpUrlError(`has no host (expected e.g. ${scheme}://mail.example.org)`);

  const secure = scheme === 'smtps';
  const options: SmtpUrl['options'] = {};
  const tls: SmtpUrl['tls'] = {};
  let messageTimeout: number = SEND_TIMEOUT_DEFAULTS.messageTimeout;
  let dataTimeout: number = SEND_TIMEOUT_DEFAULTS.dataTimeout;
  let allowPlainAuth = false;
  for (const [key, text] of url.searchParams) {
    const kind = QUERY_OPTIONS[key];
    if (!kind) throw new SmtpUrlError(`unknown option "${key}" (known: ${Object.keys(QUERY_OPTIONS).join(', ')})`);
    const value = optionValue(key, kind, text);
    if (key === 'client' && !(SMTP_CLIENTS as readonly string[]).includes(text)) throw new SmtpUrlError(`option client: "${text}" is not ${SMTP_CLIENTS.join(' or ')}`);
    if (key === 'messageTimeout') messageTimeout = value as number;
    else if (key === 'dataTimeout') dataTimeout = value as number;
    else if (key === 'allowPlainAuth') allowPlainAuth = value as boolean;
    else if (key.startsWith('tls.')) tls[key.slice(4)] = value;
    else options[key] = value;
  }
  const auth = url.username || url.password ? { user: decode(url.username), pass: decode(url.password) } : undefined;
  if (auth && !secure && !allowPlainAuth) {
    for (const [key, plain] of PLAINTEXT_OPTIONS) {
      if (options[key] === plain) throw new SmtpUrlError(`${key}=${plain} would send the password in clear; add allowPlainAuth=true to allow that`);
    }
  }
  return { secure, host, port: port === undefined ? (secure ? 465 : 587) : Number(port), auth, options, tls, messageTimeout, dataTimeout, allowPlainAuth };
}

/**
 * Credentials on a smtp:// connection are only sent after STARTTLS: a server that offers AUTH but
 * no STARTTLS would otherwise get the password in clear. allowPlainAuth=true is the explicit opt-out.
 */
export function requiresTls(url: SmtpUrl): boolean {
  return url.options.requireTLS === true || (url.auth !== undefined && !url.secure && !url.allowPlainAuth);
}

function optionValue(key: string, kind: OptionKind, text: string): string | number | boolean {
  if (kind === 'boolean') {
    if (text !== 'true' && text !== 'false') throw new SmtpUrlError(`option ${key}: "${text}" is not true or false`);
    return text === 'true';
  }
  if (kind === 'ms') {
    if (!/^\d+$/.test(text)) throw new SmtpUrlError(`option ${key}: "${text}" is not a number of milliseconds`);
    return Number(text);
  }
  return text;
}

/** The port as written after host: in "user:pass@host:port/...", or undefined when there is none. */
function writtenPort(afterScheme: string): string | undefined {
  const authority = afterScheme.split(/[/?#]/, 1)[0]!;
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  return /^(?:\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort)?.[1];
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
