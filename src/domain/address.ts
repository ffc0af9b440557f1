// The one email address parser. Every layer that takes an address (sign-up form, operator API,
// CSV import, the store, the message builder, `send --test`) asks this module, so an address is
// accepted exactly when the sender can deliver it, and one mailbox always has one key.
//
// What is accepted: after NFKC normalisation and trimming, one @; a local part that is an ASCII
// dot-atom (RFC 5322 atext and dots, no leading, trailing or double dot; no quoted local parts);
// a domain that converts to ASCII (IDNA, punycode) as dot-separated LDH labels with at least one
// dot, or `localhost`; RFC 5321 sizes. Non-ASCII local parts are refused: delivering them needs
// SMTPUTF8, which the sender does not do.
//
// The canonical key is the local part lower-cased, @, the ASCII domain (lower-case). The whole
// address is compared case-insensitively: RFC 5321 allows case-sensitive local parts, but no
// mainstream mailbox provider uses them, and treating them as distinct would mail one person twice.
import { domainToASCII, domainToUnicode } from 'node:url';

export interface ParsedAddress {
  ok: true;
  /** NFKC-normalised and trimmed, as the person wrote it (the domain may be Unicode): for display and storage. */
  address: string;
  /** The same address with the domain in ASCII (punycode): what goes into SMTP and headers. */
  ascii: string;
  /** The key for uniqueness, limits and suppression. */
  canonical: string;
}

export type AddressResult = ParsedAddress | { ok: false; problem: string };

const MAX_ADDRESS = 254;
const MAX_LOCAL = 64;
const MAX_LABEL = 63;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/;
const LINE_BREAK = /[\r\n\u2028\u2029]/;
const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

export function parseAddress(input: string): AddressResult {
  const fail = (problem: string): AddressResult => ({ ok: false, problem });
  // Checked before trimming: an address is never "cleaned" of a header-injecting line break.
  if (LINE_BREAK.test(input)) return fail('contains a line break');
  const email = input.normalize('NFKC').trim();
  if (email.length === 0) return fail('is empty');
  if (email.length > MAX_ADDRESS) return fail(`is longer than ${MAX_ADDRESS} characters`);
  if (CONTROL.test(email)) return fail('contains a control character');
  const at = email.indexOf('@');
  if (at < 0) return fail('has no @');
  if (email.indexOf('@', at + 1) >= 0) return fail('has more than one @');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length === 0) return fail('has nothing before the @');
  if (domain.length === 0) return fail('has no domain after the @');
  if (local.length > MAX_LOCAL) return fail(`has a local part longer than ${MAX_LOCAL} characters`);
  if (/[^\x00-\x7f]/.test(local)) {
    return fail('has non-ASCII characters before the @, which Pressroom cannot deliver yet (no SMTPUTF8 support)');
  }
  if (!ATEXT.test(local)) return fail('has a space or punctuation not allowed before the @');
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return fail('has a misplaced dot before the @');

  const asciiDomain = toAsciiDomain(domain);
  if (asciiDomain === null) return fail(`has an invalid domain "${domain}"`);
  if (!asciiDomain.includes('.') && asciiDomain !== 'localhost') return fail(`has a domain without a dot "${domain}"`);
  const ascii = `${local}@${asciiDomain}`;
  if (ascii.length > MAX_ADDRESS) return fail(`is longer than ${MAX_ADDRESS} characters once the domain is in ASCII`);
  return { ok: true, address: email, ascii, canonical: `${local.toLowerCase()}@${asciiDomain}` };
}

/** The canonical key of a valid address, or of anything else its trimmed lower-case form (lookups of junk find nothing). */
export function canonicalAddress(input: string): string {
  const parsed = parseAddress(input);
  return parsed.ok ? parsed.canonical : input.normalize('NFKC').trim().toLowerCase();
}

/** The domain of a valid address in lower-case ASCII (IDNA: 新闻.example and xn--...example are one domain), or null. */
export function addressDomain(input: string): string | null {
  const parsed = parseAddress(input);
  return parsed.ok ? parsed.canonical.slice(parsed.canonical.lastIndexOf('@') + 1) : null;
}

/** The domain in lower-case ASCII (IDNA), or null when it is not a host name mail can go to. */
function toAsciiDomain(domain: string): string | null {
  const ascii = domainToASCII(domain);
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  return labels.every((l) => l.length <= MAX_LABEL && LDH_LABEL.test(l) && isRealPunycode(l)) ? ascii : null;
}

/**
 * An `xn--` label must be punycode that decodes and encodes back to itself. Node 20's URL parser
 * refuses the others (`xn--zz`); Node 24's passes them through unchanged, so without this check the
 * two would accept different addresses.
 */
function isRealPunycode(label: string): boolean {
  if (!label.startsWith('xn--')) return true;
  const unicode = domainToUnicode(label);
  return unicode !== '' && unicode !== label && domainToASCII(unicode) === label;
}

/** The one-line message used everywhere an address is refused: `email: "x" is not an email address (why)`. */
export function invalidAddressMessage(input: string, problem: string): string {
  return `email: ${JSON.stringify(input)} is not an email address (${problem})`;
}
