// Address validation and the matching key, shared by both adapters so SQLite and PostgreSQL agree
// on what is an address and what counts as a duplicate.
//
// Validation is deliberately "sane", not RFC 5321 complete: one @, a non-empty local part without
// whitespace, control characters or address punctuation (no quoted local parts), and a domain made
// of dot-separated labels that has at least one dot (or is `localhost`). CR/LF are always rejected
// so an address can never inject a header.
//
// Matching: the whole address is compared case-insensitively (`John@Example.org` and
// `john@example.org` are the same subscriber). RFC 5321 allows case-sensitive local parts, but no
// mainstream mailbox provider uses them, and treating them as distinct would mail one person twice.

const FORBIDDEN = /[\s\x00-\x1f\x7f<>()[\]\\,;:"@]/u;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;

/** Returns why `email` is not acceptable, or null when it is. */
export function emailProblem(email: string): string | null {
  if (email.length === 0) return 'is empty';
  if (email.length > 254) return 'is longer than 254 characters';
  const at = email.indexOf('@');
  if (at < 0) return 'has no @';
  if (email.indexOf('@', at + 1) >= 0) return 'has more than one @';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length === 0) return 'has nothing before the @';
  if (domain.length === 0) return 'has no domain after the @';
  if (local.length > 64) return 'has a local part longer than 64 characters';
  if (FORBIDDEN.test(local)) return 'has a space, control character or punctuation not allowed in an address';
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return 'has a misplaced dot before the @';
  const labels = domain.split('.');
  if (!labels.every((l) => LABEL.test(l))) return `has an invalid domain "${domain}"`;
  if (labels.length < 2 && domain.toLowerCase() !== 'localhost') return `has a domain without a dot "${domain}"`;
  return null;
}

/** The one-line message used everywhere an address is refused. */
export function invalidEmailMessage(email: string, problem: string): string {
  return `email: ${JSON.stringify(email)} is not an email address (${problem})`;
}

/** The uniqueness key: the whole address, lower-cased (see the header comment). */
export function emailKey(email: string): string {
  return email.toLowerCase();
}

/**
 * Topics are compared case-insensitively; they are stored trimmed, lower-cased and de-duplicated
 * (in JavaScript, so both adapters lower-case non-ASCII the same way).
 */
export function normalizeTopics(topics: readonly string[] | undefined): string[] {
  if (!topics) return [];
  const out = new Set<string>();
  for (const t of topics) {
    const v = t.trim().toLowerCase();
    if (v) out.add(v);
  }
  return [...out];
}
