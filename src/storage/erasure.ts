// Rules of erasure shared by both adapters: which ledger rows belong to an address, and how an
// address is cut out of the SMTP responses kept in the ledger (servers often echo the recipient).
import { emailKey } from './email.js';

export const ERASED_MARK = '[erased]';
export const ERASED_REASON = 'not sent: subscriber erased';

/** Whether a stored address is the one being erased (the store's own matching key). */
export function sameAddress(stored: string, wanted: string): boolean {
  return stored !== '' && emailKey(stored) === emailKey(wanted);
}

/** `text` with every occurrence of each address replaced by [erased], whatever its case. */
export function scrubAddresses(text: string | null, addresses: readonly string[]): string | null {
  if (text === null) return null;
  let out = text;
  for (const address of new Set(addresses.filter((a) => a !== ''))) {
    out = out.replace(new RegExp(escapeRegExp(address), 'giu'), ERASED_MARK);
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
