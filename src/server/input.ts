// Validation of what visitors and operators send. Each check returns a one-line reason that
// names the field, so the answer tells the caller exactly what to fix.

export const MAX_TOPICS = 50;
export const MAX_TOPIC_LENGTH = 64;

// Deliberately simple (RFC 5321 sizes, one @, a dot in the domain, no spaces or controls):
// the confirm email is the real test of an address.
const EMAIL_RE = /^[^\s@<>()",;:\\[\]\x00-\x1f\x7f]{1,64}@[^\s@<>()",;:\\[\]\x00-\x1f\x7f]+\.[^\s@<>()",;:\\[\]\x00-\x1f\x7f.]+$/;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

export function checkEmail(value: unknown): Checked<string> {
  if (typeof value !== 'string' || value.trim() === '') return { ok: false, error: 'email: required' };
  const email = value.trim();
  if (email.length > 254 || !EMAIL_RE.test(email)) return { ok: false, error: `email: "${email.slice(0, 80)}" is not an email address (expected e.g. ada@example.org)` };
  return { ok: true, value: email };
}

export function checkName(value: unknown): Checked<string | null> {
  if (value === undefined || value === null) return { ok: true, value: null };
  if (typeof value !== 'string') return { ok: false, error: 'name: expected text' };
  // Names end up in email headers: no control characters, bounded length.
  const name = value.replace(/[\x00-\x1f\x7f]/g, ' ').trim();
  if (name.length > 200) return { ok: false, error: 'name: longer than 200 characters' };
  return { ok: true, value: name === '' ? null : name };
}

/** Topics as a list, a repeated form field, or one comma-separated string. */
export function checkTopics(value: unknown): Checked<string[]> {
  if (value === undefined || value === null || value === '') return { ok: true, value: [] };
  const raw = Array.isArray(value) ? value : [value];
  const topics: string[] = [];
  for (const item of raw) {
    if (typeof item !== 'string') return { ok: false, error: 'topics: expected a list of text values' };
    for (const part of item.split(',')) {
      const topic = part.replace(/[\x00-\x1f\x7f]/g, '').trim();
      if (topic === '') continue;
      if (topic.length > MAX_TOPIC_LENGTH) return { ok: false, error: `topics: "${topic.slice(0, 20)}…" is longer than ${MAX_TOPIC_LENGTH} characters` };
      if (!topics.includes(topic)) topics.push(topic);
    }
  }
  if (topics.length > MAX_TOPICS) return { ok: false, error: `topics: at most ${MAX_TOPICS}` };
  return { ok: true, value: topics };
}

export function field(body: unknown, name: string): unknown {
  if (body === null || typeof body !== 'object') return undefined;
  return (body as Record<string, unknown>)[name];
}
