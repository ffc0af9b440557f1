// What the returned copy of our own message says about whom it was for: its CFBL-Feedback-ID
// (RFC 9477, the VERP token itself) and its Return-Path (our VERP address). Reporters attach the
// copy as message/rfc822 or text/rfc822-headers, or inline; all of them are looked through.
import { checkVerpToken, parseVerpAddress, type VerpCheck } from '../email/verp.js';
import { fieldGroups } from './fields.js';

/** A check of the first token the returned message carries, or null when it carries none of ours. */
export function originalMessageToken(texts: readonly string[], bounceAddress: string, secret: string): VerpCheck | null {
  for (const text of texts) {
    for (const group of fieldGroups(text)) {
      const feedbackId = group.get('cfbl-feedback-id')?.[0];
      if (feedbackId) return checkVerpToken(secret, feedbackId.trim());
      for (const returnPath of group.get('return-path') ?? []) {
        const check = parseVerpAddress(returnPath, bounceAddress, secret);
        if (check.ok || check.reason !== 'not-verp') return check;
      }
    }
  }
  return null;
}
