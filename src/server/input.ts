// What visitors and operators send, after the route schemas (schemas.ts) have checked its shape:
// each check returns a one-line reason that names the field, so the answer tells the caller
// exactly what to fix. The rules themselves are in src/domain/ (the CSV import uses the same ones).
import { invalidAddressMessage, parseAddress } from '../domain/address.js';
import { checkNameText, checkTopicList, type Checked } from '../domain/subscriber-fields.js';

export type { Checked } from '../domain/subscriber-fields.js';

/** The fields of a sign-up, as signUpSchema lets them through. */
export interface SignUpFields {
  email?: string;
  name?: string | null;
  topics?: string | string[];
}

/** An address the sender can deliver to, as written (NFKC, trimmed); see src/domain/address.ts. */
export function checkEmail(value: string | undefined): Checked<string> {
  if (value === undefined || value.trim() === '') return { ok: false, error: 'email: required' };
  const parsed = parseAddress(value);
  if (!parsed.ok) return { ok: false, error: invalidAddressMessage(value.trim().slice(0, 80), parsed.problem) };
  return { ok: true, value: parsed.address };
}

export function checkName(value: string | null | undefined): Checked<string | null> {
  if (value === undefined || value === null) return { ok: true, value: null };
  return checkNameText(value);
}

/** Topics as a list, a repeated form field, or one comma-separated string. */
export function checkTopics(value: string | string[] | undefined): Checked<string[]> {
  if (value === undefined || value === '') return { ok: true, value: [] };
  const raw = Array.isArray(value) ? value : [value];
  return checkTopicList(raw.flatMap((item) => item.split(',')));
}

export function field(body: unknown, name: string): unknown {
  if (body === null || typeof body !== 'object') return undefined;
  return (body as Record<string, unknown>)[name];
}
