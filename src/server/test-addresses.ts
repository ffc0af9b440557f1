// The saved list of test addresses (for test sends from the console and the API), kept in the
// store's settings as JSON so every process of the service sees the same list.
import type { Checked } from '../domain/subscriber-fields.js';
import type { Store } from '../storage/store.js';
import { checkEmail } from './input.js';

const KEY = 'console.testAddresses';
/** A test list is for a handful of people; a longer one is a mailing list. */
export const MAX_TEST_ADDRESSES = 20;

export async function readTestAddresses(store: Store): Promise<string[]> {
  const value = await store.getSetting(KEY);
  if (value === null) return [];
  const parsed: unknown = JSON.parse(value);
  return Array.isArray(parsed) ? parsed.filter((a): a is string => typeof a === 'string') : [];
}

/** One address a line (or separated by commas); each checked like a sign-up's, duplicates dropped. */
export function parseTestAddresses(text: string): Checked<string[]> {
  const addresses: string[] = [];
  const parts = text.split(/[\n,]/).map((p) => p.trim());
  for (const [i, part] of parts.entries()) {
    if (part === '') continue;
    const email = checkEmail(part);
    if (!email.ok) return { ok: false, error: `addresses, entry ${i + 1}: ${email.error}` };
    if (!addresses.some((a) => a.toLowerCase() === email.value.toLowerCase())) addresses.push(email.value);
  }
  if (addresses.length > MAX_TEST_ADDRESSES) return { ok: false, error: `addresses: at most ${MAX_TEST_ADDRESSES}, got ${addresses.length}` };
  return { ok: true, value: addresses };
}

export async function saveTestAddresses(store: Store, addresses: readonly string[]): Promise<void> {
  await store.setSetting(KEY, JSON.stringify(addresses));
}
