// What a setting must satisfy beyond its type, checked once when the configuration loads, so that
// a mistake is one line naming the setting (exit 2) before anything starts, never a failure later.
// `where` names the setting as the operator wrote it: "PRESSROOM_PORT", "--site-url",
// "/srv/news/pressroom.config.json: smtpUrl", or the setting's path when it is the default.
import { createPublicKey } from 'node:crypto';
import cron from 'node-cron';
import { parseAddress } from '../domain/address.js';
import { readDkimKey, type DkimSettings } from './dkim-key.js';
import { ConfigError } from './errors.js';
import { maxSendMs, OUTBOX_URL, parseSmtpUrl, redactSmtpUrl, SmtpUrlError, type SmtpUrl } from './smtp-url.js';

/** The parsed SMTP URL, or undefined for the outbox (`outbox:`). */
export function checkSmtpUrl(url: string, where: string): SmtpUrl | undefined {
  if (url === OUTBOX_URL) return undefined;
  try {
    return parseSmtpUrl(url);
  } catch (err) {
    if (!(err instanceof SmtpUrlError)) throw err;
    throw new ConfigError(`${where}: "${redactSmtpUrl(url)}" ${err.message}`);
  }
}

export function checkTimeZone(zone: string, where: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new ConfigError(`${where}: "${zone}" is not an IANA time zone (expected e.g. Asia/Shanghai)`);
  }
}

/**
 * A cron expression node-cron runs: 5 fields, or 6 with seconds first. The message starts with
 * `schedule:` wherever it was set (as it always has), and names the variable or file after it.
 */
export function checkSchedule(expression: string, where = 'schedule'): string {
  const detail = cron.validateDetailed(expression);
  if (!detail.valid) {
    const first = detail.errors[0];
    const why = first ? ` (${first.field}: ${first.message})` : '';
    const from = where === 'schedule' ? '' : ` (set by ${where})`;
    throw new ConfigError(`schedule: "${expression}" is not a cron expression${why}; expected 5 fields, or 6 with seconds first, e.g. "*/5 * * * *"${from}`);
  }
  return expression;
}

/** A configured secret signs every link: too short is guessable. */
export function checkSecret(secret: string, where: string): void {
  if (secret !== '' && secret.length < 16) throw new ConfigError(`${where}: must be at least 16 characters (use e.g. \`openssl rand -hex 32\`)`);
}

/** The key exists, is readable, is an RSA private key; selector and domain are DNS names. */
export function checkDkim(dkim: DkimSettings, where: string): void {
  readDkimKey(dkim, where);
}

/**
 * A claim must outlive the slowest possible send: a message still in progress when its lease runs
 * out could be claimed and sent again by another worker (docs/delivery.md, "Lease").
 */
export function checkLease(leaseSeconds: number, url: SmtpUrl, where: { lease: string; smtpUrl: string }): void {
  const longest = maxSendMs(url);
  if (leaseSeconds * 1000 > longest) return;
  throw new ConfigError(
    `${where.lease}: ${leaseSeconds} s is not longer than one SMTP send may take (${url.messageTimeout / 1000} s up to the final dot + ${url.dataTimeout / 1000} s for the answer, ?messageTimeout and ?dataTimeout of ${where.smtpUrl}); expected more than ${longest / 1000} s (default 1800)`,
  );
}

/** A VERP return path: a plain address whose local part has room for `+<token>`
 * (up to 41 characters with the largest ids: RFC 5321 allows 64 in all). */
export function checkBounceAddress(address: string, where: string): void {
  const parsed = parseAddress(address);
  if (!parsed.ok) throw new ConfigError(`${where}: ${JSON.stringify(address)} ${parsed.problem} (expected e.g. bounces@news.example.org)`);
  const local = parsed.ascii.slice(0, parsed.ascii.lastIndexOf('@'));
  if (local.includes('+'))
    throw new ConfigError(`${where}: ${JSON.stringify(address)} has a + in its local part; the + starts each message's token (expected e.g. bounces@news.example.org)`);
  if (local.length > 23)
    throw new ConfigError(`${where}: ${JSON.stringify(address)} has a local part over 23 characters, leaving no room for the token (RFC 5321 allows 64 in all)`);
}

/** SNS topic ARNs (arn:aws:sns:REGION:ACCOUNT:NAME): only their notifications are believed, however well signed. */
export function checkTopicArns(arns: readonly string[], where: string): void {
  for (const arn of arns) {
    if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(arn))
      throw new ConfigError(`${where}: ${JSON.stringify(arn)} is not an SNS topic ARN (expected e.g. arn:aws:sns:eu-west-1:123456789012:ses-bounces)`);
  }
}

/** SendGrid's verification key: base64 of a DER public key (the "Verification Key" of its signed event webhook). */
export function checkSendgridKey(key: string, where: string): void {
  try {
    const parsed = createPublicKey({ key: Buffer.from(key, 'base64'), format: 'der', type: 'spki' });
    if (parsed.asymmetricKeyType === 'ec') return;
  } catch {
    // reported below
  }
  throw new ConfigError(`${where}: is not an ECDSA public key in base64 DER (expected the Verification Key SendGrid shows for its signed event webhook)`);
}

/** A webhook secret compared with what a request carries: too short is guessable. */
export function checkWebhookSecret(secret: string, where: string): void {
  if (secret.length < 16) throw new ConfigError(`${where}: must be at least 16 characters (use e.g. \`openssl rand -hex 32\`)`);
}

/** The bounce mailbox: imaps:// (TLS from the start) or imap:// (STARTTLS required: the password never goes out in clear), with user and password. */
export function checkImapUrl(url: string, where: string, shown: string): void {
  const fail = (why: string) => new ConfigError(`${where}: ${JSON.stringify(shown)} ${why} (expected e.g. imaps://bounces:password@imap.example.org/INBOX)`);
  if (!URL.canParse(url)) throw fail('is not an IMAP URL');
  const parsed = new URL(url);
  if (parsed.protocol !== 'imap:' && parsed.protocol !== 'imaps:') throw fail('is not an IMAP URL');
  if (parsed.hostname === '') throw fail('names no server');
  if (parsed.username === '' || parsed.password === '') throw fail('has no user and password');
}

/**
 * The event endpoint: https, or http only to this machine (the events carry subscribers' addresses,
 * which never cross a network in clear), with a Standard Webhooks secret.
 */
export function checkEventEndpoint({ url, secret }: { url?: string; secret?: string }, where: { url: string; secret: string }): void {
  if (url === undefined) {
    if (secret !== undefined) checkEventSecret(secret, where.secret);
    return;
  }
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:'))
    throw new ConfigError(`${where.url}: ${JSON.stringify(url)} is not an http(s) URL (expected e.g. https://crm.example.org/hooks/pressroom)`);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol === 'http:' && !loopback) throw new ConfigError(`${where.url}: must be https (events carry subscribers' addresses; plain http only to localhost)`);
  if (secret === undefined)
    throw new ConfigError(`${where.secret}: is required with ${where.url} (expected whsec_ and base64 of 24 to 64 random bytes, e.g. whsec_$(openssl rand -base64 32))`);
  checkEventSecret(secret, where.secret);
}

function checkEventSecret(secret: string, where: string): void {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  const bytes = match ? Buffer.from(match[1]!, 'base64').length : 0;
  if (bytes < 24 || bytes > 64)
    throw new ConfigError(`${where}: is not a Standard Webhooks secret (expected whsec_ and base64 of 24 to 64 random bytes, e.g. whsec_$(openssl rand -base64 32))`);
}

/** WebSub hubs: absolute http or https URLs (each is pinged with a POST after a build that changed a feed). */
export function checkHubs(hubs: readonly string[], where: string): void {
  for (const hub of hubs) {
    const url = URL.canParse(hub) ? new URL(hub) : null;
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
      throw new ConfigError(`${where}: ${JSON.stringify(hub)} is not an http(s) URL (expected e.g. https://pubsubhubbub.appspot.com/)`);
  }
}
